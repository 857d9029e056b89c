import AgnoCEL
import AgnoProtocol

/// agno's Router: the selector (CEL) names one of the choices, which runs; the others are SKIPPED.
extension NodeWalker {
    @inline(never)
    func runRouter(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard case .router(let router) = node.kind else { preconditionFailure("runRouter on a \(node.typeName)") }
        markRunning(node, scope)
        let place = scope.place(of: node)
        let names = router.choices.map(\.name)
        var bindings = progress.conditionBindings(previous: input)
        bindings["step_choices"] = .list(names.map(CELValue.string))
        let what = "the selector of '\(node.name)' (\(router.selector.source))"
        let chosen: StepNode
        if let answer = scope.answer, answer.stepPath == place.path, let route = answer.input?["route"]?.stringValue,
            let choice = router.choices.first(where: { $0.name == route })
        {
            // The person who answered the Router's review chose the route.
            chosen = choice
        } else {
            do {
                let value = try router.selector.evaluate(bindings)
                guard case .string(let name) = value else {
                    announce(.routerExecutionStarted, place)
                    return failNode(node, scope, "\(what) returned \(value.typeName) \(value), not the name of a choice")
                }
                guard let choice = router.choices.first(where: { $0.name == name }) else {
                    announce(.routerExecutionStarted, place)
                    return failNode(
                        node, scope, "\(what) chose '\(name)', which is not one of its choices (\(names.joined(separator: ", ")))")
                }
                chosen = choice
            } catch {
                announce(.routerExecutionStarted, place)
                return failNode(node, scope, "\(what) failed: \(error.message)")
            }
        }
        announce(.routerExecutionStarted, place, [("selected_steps", .array([.string(chosen.name)]))])
        markSkipped(router.choices.filter { $0.name != chosen.name })
        let outcome = await walk(chosen, input: input, scope: scope.below(node))
        return finishCompound(node, scope, outcome, completed: .routerExecutionCompleted) { _ in
            [("selected_steps", .array([.string(chosen.name)])), ("executed_steps", .int(1))]
        }
    }
}
