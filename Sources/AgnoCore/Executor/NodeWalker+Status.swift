import AgnoProtocol

/// The run summary's side of walking: each node's status, content, iteration and attempt.
extension NodeWalker {
    /// Marks `node` RUNNING in this scope's iteration and attempt.
    func markRunning(_ node: StepNode, _ scope: WalkScope) {
        record.markRunning(node.index, scope)
    }

    func mark(_ node: StepNode, _ status: RunStatus, content: String? = nil, error: String? = nil) {
        record.update { s in
            s.steps[node.index].status = status
            if let content { s.steps[node.index].content = content }
            if let error { s.steps[node.index].error = error }
        }
    }

    /// Marks every node under `nodes` (and themselves) SKIPPED: a branch not taken.
    func markSkipped(_ nodes: [StepNode]) {
        let indices = nodes.flatMap(\.subtree).map(\.index)
        guard !indices.isEmpty else { return }
        record.update { s in
            for i in indices { s.steps[i].status = .skipped }
        }
    }

    /// Ends a compound node by how its children ended: completed (with its `…Completed` event), failed (a
    /// `StepError` for the node too) or cancelled.
    func finishCompound(
        _ node: StepNode, _ scope: WalkScope, _ outcome: StepOutcome, completed: EventName,
        _ fields: (String) -> [(String, JSONValue?)] = { _ in [] }
    ) -> StepOutcome {
        let place = scope.place(of: node)
        switch outcome {
        case .completed(let output, _):
            mark(node, .completed, content: output)
            record.emit(
                events.step(completed, place, fields(output) + [("content", .string(output))]),
                completing: NodeResult(path: place.path, index: node.index, succeeded: true, output: output))
        case .failed(let message):
            mark(node, .error, error: message)
            record.emit(events.step(.stepError, place, [("error", .string(message))]))
        case .cancelled:
            mark(node, .cancelled)
        case .paused:
            break
        }
        return outcome
    }

    /// A compound node that fails by itself (its expression failed): ERROR with a `StepError`.
    func failNode(_ node: StepNode, _ scope: WalkScope, _ message: String) -> StepOutcome {
        finishCompound(node, scope, .failed(message), completed: .stepCompleted)
    }
}

extension RunRecord {
    /// Marks step `index` RUNNING in the scope's iteration and attempt (its error from an earlier attempt cleared).
    func markRunning(_ index: Int, _ scope: WalkScope) {
        update { s in
            s.steps[index].status = .running
            s.steps[index].error = nil
            s.steps[index].iteration = scope.iteration
            s.steps[index].attempt = scope.attempt
        }
    }
}
