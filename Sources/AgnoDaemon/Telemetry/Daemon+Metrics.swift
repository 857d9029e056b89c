import AgnoCore
import AgnoProtocol
import Foundation

extension Daemon {
    /// A run that ended (or paused): counted by workflow and status, its duration from start to end, and, when a
    /// cancel ended it, the time from the cancel request to its end being stored.
    static func observe(_ run: RunSummary, cancelRequestedAt: ContinuousClock.Instant?, metrics: AgnoMetrics) {
        guard metrics.enabled else { return }
        var duration: Duration?
        if let start = run.startedAt, let end = run.finishedAt {
            duration = .milliseconds(Int64((max(0, end.timeIntervalSince(start)) * 1000).rounded()))
        }
        let cancelLatency = run.status == .cancelled ? cancelRequestedAt.map { ContinuousClock.now - $0 } : nil
        metrics.runFinished(workflow: run.workflow, status: run.status.rawValue, duration: duration, cancelLatency: cancelLatency)
    }
}
