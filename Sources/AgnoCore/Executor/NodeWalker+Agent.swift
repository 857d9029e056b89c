/// An agent step: its input is its template, rendered, or the previous node's output.
extension NodeWalker {
    @inline(never)
    func runAgent(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        let runner = AgentRunner(environment: environment, record: record, events: events, budget: budget)
        return await runner.run(node: node, input: agentInput(node, input: input, scope: scope), scope: scope)
    }

    /// The agent's input: the step's template rendered, or the previous node's output; and the fields a person
    /// gave when the review above asked for them.
    @inline(never)
    private func agentInput(_ node: StepNode, input: String, scope: WalkScope) -> String {
        guard case .agent(let step) = node.kind else { preconditionFailure("runAgent on a \(node.typeName)") }
        var text =
            step.input.map {
                $0.render(input: progress.input, previous: input, outputs: progress.outputsByName, additionalData: progress.additionalText)
            } ?? input
        let answered = scope.answer?.input?.objectValue ?? []
        if !answered.isEmpty {
            let lines = answered.map { key, value in "- \(key): \(value.stringValue ?? value.encodedString)" }
            text += "\n\nUser input:\n" + lines.joined(separator: "\n")
        }
        return text
    }
}
