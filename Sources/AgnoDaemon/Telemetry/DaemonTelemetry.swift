import AgnoCore
import Metrics
import Prometheus
import Synchronization

/// The daemon's metrics: a Prometheus registry fed through swift-metrics (`AgnoMetrics`), and the gauges read
/// when the metrics are asked for (runs per user, the store's queue, connections). Disabled: nothing is counted.
final class DaemonTelemetry: Sendable {
    let registry: PrometheusCollectorRegistry?
    let metrics: AgnoMetrics
    /// Open client connections (the socket server counts them).
    let openConnections = Atomic<Int>(0)
    /// Users who started a run: one whose runs all ended shows 0 (a series that vanished would look like a gap).
    private let users = Mutex<Set<String>>([])

    /// A run was accepted for `user`: from now on the user has a series in the per-user gauges.
    func noteUser(_ user: String) {
        guard registry != nil else { return }
        _ = users.withLock { $0.insert(user) }
    }

    /// What the metrics endpoint and the `metrics` op answer with (Prometheus text format 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    init(enabled: Bool) {
        guard enabled else {
            registry = nil
            metrics = .disabled
            return
        }
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
            .seconds(300),
        ]
        let fast: [Duration] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .seconds(1),
        ]
        factory.durationHistogramBuckets[MetricName.cancelLatency] = fast
        factory.durationHistogramBuckets[MetricName.storeCommit] = fast
        // One series per label set whatever order the labels come in.
        factory.nameAndLabelSanitizer = { name, labels in (name, labels.sorted { $0.0 < $1.0 }) }
        self.registry = registry
        metrics = AgnoMetrics(factory: factory)
    }

    /// The metrics in the Prometheus text format or OpenMetrics 1.0, with its content type; nil when they are off.
    func exposition(table: RunTable, openMetrics: Bool) -> (contentType: String, text: String)? {
        guard let text = render(table: table) else { return nil }
        return openMetrics ? (OpenMetricsText.contentType, OpenMetricsText.from(prometheus: text)) : (Self.contentType, text)
    }

    /// The metrics as Prometheus text, the gauges read now; nil when the metrics are off.
    func render(table: RunTable) -> String? {
        guard let registry else { return nil }
        let occupancy = table.occupancy
        let seen = users.withLock { users -> Set<String> in
            users.formUnion(occupancy.map(\.user))
            return users
        }
        let byUser = Dictionary(uniqueKeysWithValues: occupancy.map { ($0.user, $0) })
        for user in seen {
            let labels = [("user", user)]
            registry.makeGauge(name: MetricName.activeRuns, labels: labels, help: "RUNNING runs per user on this host")
                .set(Double(byUser[user]?.running ?? 0))
            registry.makeGauge(name: MetricName.queuedRuns, labels: labels, help: "PENDING runs waiting per user on this host")
                .set(Double(byUser[user]?.queued ?? 0))
        }
        registry.makeGauge(name: MetricName.storeQueueDepth, help: "events waiting for the store writer").set(
            Double(table.writer.queuedEvents))
        registry.makeGauge(name: MetricName.connections, help: "open client connections").set(
            Double(openConnections.load(ordering: .relaxed)))
        return registry.emitToString()
    }
}
