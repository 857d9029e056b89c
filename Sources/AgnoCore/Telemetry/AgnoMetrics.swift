import AgnoProtocol
import Foundation
import Metrics

/// What agnod counts and times, through swift-metrics with a factory of its own (no process-wide bootstrap, so
/// a test process can hold several). `disabled` records nothing (the `metrics.enabled: false` of agnod.yaml).
/// Handles for the hot paths (every store commit) are made once; per-run ones are looked up when used.
public final class AgnoMetrics: Sendable {
    let factory: any MetricsFactory
    public let enabled: Bool
    private let storeCommits: Timer
    private let cancels: Timer
    private let accepted: Counter

    public init(factory: any MetricsFactory) {
        self.factory = factory
        self.enabled = true
        storeCommits = Timer(label: MetricName.storeCommit, dimensions: [], factory: factory)
        cancels = Timer(label: MetricName.cancelLatency, dimensions: [], factory: factory)
        accepted = Counter(label: MetricName.connectionsAccepted, dimensions: [], factory: factory)
    }

    private init() {
        factory = NOOPMetricsHandler.instance
        enabled = false
        storeCommits = Timer(label: "", dimensions: [], factory: factory)
        cancels = storeCommits
        accepted = Counter(label: "", dimensions: [], factory: factory)
    }

    public static let disabled = AgnoMetrics()

    public func runStarted(workflow: String) {
        guard enabled else { return }
        Counter(label: MetricName.runsStarted, dimensions: [("workflow", workflow)], factory: factory).increment()
    }

    /// A run ended (or paused): its status, its duration from start to end, and how long its cancel took.
    public func runFinished(workflow: String, status: String, duration: Duration?, cancelLatency: Duration?) {
        guard enabled else { return }
        let labels = [("status", status), ("workflow", workflow)]
        Counter(label: MetricName.runsFinished, dimensions: labels, factory: factory).increment()
        if let duration { Timer(label: MetricName.runDuration, dimensions: labels, factory: factory).record(duration: duration) }
        if let cancelLatency { cancels.record(duration: cancelLatency) }
    }

    public func stepFinished(workflow: String, status: String, duration: Duration) {
        guard enabled else { return }
        Timer(label: MetricName.stepDuration, dimensions: [("status", status), ("workflow", workflow)], factory: factory)
            .record(duration: duration)
    }

    /// One model call that streamed to its end: its latency, time to first token, tokens and cost.
    public func modelCall(provider: String, model: String, metrics call: RunMetrics) {
        guard enabled else { return }
        let labels = [("model", model), ("provider", provider)]
        if let latency = call.duration {
            Timer(label: MetricName.modelLatency, dimensions: labels, factory: factory).record(latency)
        }
        if let ttft = call.timeToFirstToken {
            Timer(label: MetricName.timeToFirstToken, dimensions: labels, factory: factory).record(ttft)
        }
        // Counters only go up (a negative amount would stop the process in swift-prometheus).
        Counter(label: MetricName.tokens, dimensions: [("kind", "input")] + labels, factory: factory).increment(
            by: max(0, call.inputTokens))
        Counter(label: MetricName.tokens, dimensions: [("kind", "output")] + labels, factory: factory).increment(
            by: max(0, call.outputTokens))
        if let cost = call.cost, cost.isFinite, cost >= 0 {
            FloatingPointCounter(label: MetricName.cost, dimensions: labels, factory: factory).increment(by: cost)
        }
    }

    /// The counter of a model's streamed chunks, made once per model call and bumped per chunk; nil when disabled.
    public func streamedChunks(provider: String, model: String) -> Counter? {
        guard enabled else { return nil }
        return Counter(label: MetricName.streamedChunks, dimensions: [("model", model), ("provider", provider)], factory: factory)
    }

    public func modelError(provider: String, model: String, kind: String) {
        guard enabled else { return }
        Counter(label: MetricName.modelErrors, dimensions: [("kind", kind), ("model", model), ("provider", provider)], factory: factory)
            .increment()
    }

    public func toolCall(tool: String, succeeded: Bool) {
        guard enabled else { return }
        Counter(
            label: MetricName.toolCalls, dimensions: [("outcome", succeeded ? "completed" : "error"), ("tool", tool)], factory: factory
        )
        .increment()
    }

    public func storeCommitted(in duration: Duration) {
        guard enabled else { return }
        storeCommits.record(duration: duration)
    }

    public func connectionAccepted() {
        guard enabled else { return }
        accepted.increment()
    }
}
