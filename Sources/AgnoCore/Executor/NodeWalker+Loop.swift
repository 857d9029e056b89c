import AgnoCEL
import AgnoProtocol

/// agno's Loop: its steps, then the end condition (CEL over this iteration's outputs), until it holds or
/// `max_iterations` ran. Each iteration's input is the previous iteration's output; the steps' events carry
/// `iteration` and their paths go through `NAME[i]`.
extension NodeWalker {
    @inline(never)
    func runLoop(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard case .loop(let loop) = node.kind else { preconditionFailure("runLoop on a \(node.typeName)") }
        markRunning(node, scope)
        let place = scope.place(of: node)
        let max = loop.maxIterations
        announce(.loopExecutionStarted, place, [("max_iterations", .int(max))])
        var current = input
        var iterations = 0
        for iteration in 1...max {
            if Task.isCancelled { return finishCompound(node, scope, .cancelled(partial: current), completed: .loopExecutionCompleted) }
            let collector = IterationCollector()
            var inner = scope.below(node, iteration: iteration)
            if let review = node.options.humanReview, review.asksBefore {
                // The review comes before every iteration; a rejection ends the loop where it is.
                switch reviewBefore(node, review, path: inner.parentPath!, input: current, scope: scope) {
                case .proceed(let answer): inner.answer = answer
                case .skip:
                    if iteration == 1 {
                        markSkipped([node])
                        return .completed(input, succeeded: false)
                    }
                    return finishCompound(node, scope, .completed(current), completed: .loopExecutionCompleted) { _ in
                        [("total_iterations", .int(iteration - 1)), ("max_iterations", .int(max))]
                    }
                case .ended(let other): return finishCompound(node, scope, other, completed: .loopExecutionCompleted)
                }
            }
            iterations = iteration
            record.update { $0.steps[node.index].iteration = iteration }
            inner.collectors.append(collector)
            let iterationFields: [(String, JSONValue?)] = [("iteration", .int(iteration)), ("max_iterations", .int(max))]
            var started = place
            started.iteration = iteration
            announce(.loopIterationStarted, started, iterationFields)
            switch await sequence(loop.steps, input: current, scope: inner) {
            case .completed(let output, _): current = output
            case let other: return finishCompound(node, scope, other, completed: .loopExecutionCompleted)
            }
            var done = iteration == max
            if let end = loop.endCondition {
                let bindings: [String: CELValue] = [
                    "current_iteration": .int(Int64(iteration)), "max_iterations": .int(Int64(max)),
                    "all_success": .bool(collector.allSuccess),
                    "last_step_content": .string(current),
                    "step_outputs": .stringMap(collector.outputs.map { ($0.0, CELValue.string($0.1)) }),
                ]
                switch evaluateBool(end, bindings, what: "the end condition of '\(node.name)'") {
                case .success(let b): done = done || b
                case .failure(let failure): return failNode(node, scope, failure.message)
                }
            }
            announce(
                .loopIterationCompleted, started, iterationFields + [("should_continue", .bool(!done)), ("content", .string(current))])
            if done { break }
        }
        let total = iterations
        return finishCompound(node, scope, .completed(current), completed: .loopExecutionCompleted) { _ in
            [("total_iterations", .int(total)), ("max_iterations", .int(max))]
        }
    }
}
