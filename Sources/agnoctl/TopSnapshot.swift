import AgnoClient
import AgnoProtocol
import Foundation

/// What `agnoctl top` shows at one moment: the live runs the caller may see (`list`) and, when agnod counts
/// them, its metrics (`metrics`): runs per user, the store's queue, connections and streamed chunks.
struct TopSnapshot {
    var runs: [RunSummary]
    var metrics: PrometheusSamples?
    var takenAt: ContinuousClock.Instant
    var now: Date

    static func take(_ connection: AgnoConnection, allUsers: Bool) throws -> TopSnapshot {
        let list = try connection.result(.list(ListRequest(statuses: [.running, .pending, .paused], limit: 500, allUsers: allUsers)))
        var metrics: PrometheusSamples?
        if let text = try? connection.result(.metrics(MetricsRequest()))["text"]?.stringValue {
            metrics = PrometheusSamples(text: text)
        }
        return TopSnapshot(
            runs: (list["runs"]?.arrayValue ?? []).compactMap(RunSummary.init(json:)), metrics: metrics, takenAt: .now, now: Date())
    }

    /// Chunks the models streamed so far, all models together (nil when agnod's metrics are off).
    var streamedChunks: Double? { metrics?.sum("agnod_model_streamed_chunks_total") }

    func render(tokensPerSecond rate: Double?) -> String {
        let running = runs.filter { $0.status == .running }.count
        let pending = runs.filter { $0.status == .pending }.count
        let paused = runs.filter { $0.status == .paused }.count
        let clock = Timestamp.rfc3339(now).prefix(19).replacingOccurrences(of: "T", with: " ")
        var head = ["agnod \(clock)", "\(running) running", "\(pending) queued", "\(paused) paused"]
        head.append(rate.map { "\(MetricsText.fixed($0, places: 1)) tokens/s" } ?? "— tokens/s")
        if let metrics {
            head.append("store queue \(Int(metrics.sum("agnod_store_queue_depth")))")
            head.append("\(Int(metrics.sum("agnod_connections"))) connections")
        }
        var out = head.joined(separator: " · ") + "\n\n"
        var rows = [["RUN ID", "USER", "WORKFLOW", "STATUS", "STEP", "ELAPSED", "TOKENS"]]
        for run in runs {
            let step = run.steps.last { $0.status == .running || $0.status == .paused }?.path ?? "-"
            let since = run.startedAt ?? run.createdAt
            rows.append([
                run.runID, run.owner, run.workflow, run.status.rawValue, step, Self.elapsed(now.timeIntervalSince(since)),
                run.metrics.map { MetricsText.grouped($0.totalTokens) } ?? "-",
            ])
        }
        out += runs.isEmpty ? "no live runs\n" : Table.render(rows)
        if let metrics {
            var users: [String: (running: Double, queued: Double)] = [:]
            for s in metrics.samples where s.name == "agnod_active_runs" || s.name == "agnod_queued_runs" {
                guard let user = s.labels["user"] else { continue }
                var entry = users[user] ?? (0, 0)
                if s.name == "agnod_active_runs" { entry.running = s.value } else { entry.queued = s.value }
                users[user] = entry
            }
            let busy = users.filter { $0.value.running > 0 || $0.value.queued > 0 }.sorted { $0.key < $1.key }
            if !busy.isEmpty {
                out +=
                    "\n"
                    + Table.render(
                        [["USER", "RUNNING", "QUEUED"]] + busy.map { [$0.key, "\(Int($0.value.running))", "\(Int($0.value.queued))"] })
            }
        }
        return out
    }

    /// `4.2s`, `3m07s`, `2h05m`.
    static func elapsed(_ seconds: Double) -> String {
        let s = max(0, seconds)
        if s < 60 { return MetricsText.fixed(s, places: 1) + "s" }
        let whole = Int(s)
        if whole < 3600 { return "\(whole / 60)m" + String(format: "%02d", whole % 60) + "s" }
        return "\(whole / 3600)h" + String(format: "%02d", whole / 60 % 60) + "m"
    }
}
