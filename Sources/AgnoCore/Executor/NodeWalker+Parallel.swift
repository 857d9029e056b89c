import AgnoProtocol

/// agno's Parallel: every branch starts at once on the same input; the output is the branches' outputs in
/// declaration order, each under a `## NAME` heading. A branch that fails (and does not say `on_error: skip`)
/// cancels its siblings and fails the Parallel; a cancel of the run reaches every branch (they are child tasks).
extension NodeWalker {
    @inline(never)
    func runParallel(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard case .parallel(let branches) = node.kind else { preconditionFailure("runParallel on a \(node.typeName)") }
        markRunning(node, scope)
        let place = scope.place(of: node)
        announce(.parallelExecutionStarted, place, [("parallel_step_count", .int(branches.count))])
        let failure = Interrupt(.siblingFailed)
        let inner = scope.below(node).with(failure)
        let walker = self
        let outcomes = await withTaskGroup(of: (Int, StepOutcome).self) { group -> [StepOutcome?] in
            for (i, branch) in branches.enumerated() {
                group.addTask { (i, await walker.walk(branch, input: input, scope: inner)) }
            }
            var outcomes = [StepOutcome?](repeating: nil, count: branches.count)
            for await (i, outcome) in group {
                outcomes[i] = outcome
                if case .failed(let message) = outcome, failure.fire("cancelled: parallel branch '\(branches[i].name)' failed: \(message)")
                {
                    group.cancelAll()
                }
            }
            return outcomes
        }
        var sections: [String] = []
        var firstFailure: String?
        var cancelled = false
        var firstPause: PauseRequirement?
        for (branch, outcome) in zip(branches, outcomes) {
            switch outcome {
            case .paused(let requirement)?: firstPause = firstPause ?? requirement
            case .completed(let output, let succeeded)?: if succeeded { sections.append("## \(branch.name)\n\n\(output)") }
            case .failed(let message)?: firstFailure = firstFailure ?? message
            case .cancelled?, nil: cancelled = true
            }
        }
        let joined = sections.joined(separator: "\n\n")
        let outcome: StepOutcome
        if let firstFailure, failure.reason != nil || !Task.isCancelled {
            outcome = .failed(firstFailure)
        } else if cancelled || Task.isCancelled {
            outcome = .cancelled(partial: joined)
        } else if let firstPause {
            // The branches that did not pause are done (stored); the run pauses for the first that did.
            outcome = .paused(firstPause)
        } else {
            outcome = .completed(joined)
        }
        return finishCompound(node, scope, outcome, completed: .parallelExecutionCompleted) { _ in
            [("parallel_step_count", .int(branches.count))]
        }
    }
}
