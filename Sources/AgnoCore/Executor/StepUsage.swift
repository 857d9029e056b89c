import AgnoProtocol

/// The model calls of one agent step so far: their tokens and cost added up, the step's duration from its start,
/// readable when the step is cancelled or fails.
final class StepUsage: @unchecked Sendable {
    // Only the step's own task adds and reads.
    private var total: RunMetrics?
    private let started = ContinuousClock.now

    func add(_ call: RunMetrics) {
        var sum = total ?? RunMetrics()
        sum.add(call)
        total = sum
    }

    var elapsed: Duration { ContinuousClock.now - started }

    /// Nil when the step made no model call that ended.
    var metrics: RunMetrics? {
        guard var metrics = total else { return nil }
        metrics.duration = elapsed.inSeconds
        return metrics
    }
}
