/// agno's Steps: a named group run in sequence.
extension NodeWalker {
    @inline(never)
    func runSteps(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard case .steps(let children) = node.kind else { preconditionFailure("runSteps on a \(node.typeName)") }
        markRunning(node, scope)
        announce(.stepsExecutionStarted, scope.place(of: node), [("steps_count", .int(children.count))])
        let outcome = await sequence(children, input: input, scope: scope.below(node))
        return finishCompound(node, scope, outcome, completed: .stepsExecutionCompleted) { _ in [("steps_count", .int(children.count))] }
    }
}
