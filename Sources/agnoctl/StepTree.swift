import AgnoProtocol

/// A run's step tree as `agnoctl status` prints it: one line per node, indented by nesting, with its type
/// (for constructs), status, loop iteration and attempt, and error.
enum StepTree {
    /// `waitingFor`: a PAUSED run's requirement, noted on the node that waits.
    static func lines(_ steps: [StepSummary], waitingFor: PauseRequirement? = nil) -> [String] {
        let width = steps.map { $0.depth * 2 + $0.name.count }.max() ?? 0
        return steps.map { step in
            let label = String(repeating: "  ", count: step.depth) + step.name
            var line = "  " + label.padding(toLength: width + 2, withPad: " ", startingAt: 0)
            line += step.status.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
            var notes: [String] = []
            if step.type != "Step" { notes.append(step.type) }
            if let iteration = step.iteration { notes.append(step.type == "Loop" ? "\(iteration) iterations" : "iteration \(iteration)") }
            if let attempt = step.attempt { notes.append("attempt \(attempt)") }
            if let metrics = step.metrics { notes.append(MetricsText.tokens(metrics)) }
            if let waitingFor, step.status == .paused, step.index == waitingFor.stepIndex {
                notes.append("waits for \(PauseNotice.wanted(waitingFor.kind))")
            }
            if !notes.isEmpty { line += " " + notes.joined(separator: ", ") }
            if let error = step.error { line += " — \(error)" }
            return line.trimmingTrailingSpaces
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
