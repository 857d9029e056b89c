/// agno's Router: the selector (CEL) names one of the choices, which runs.
public struct RouterNode: Sendable, Equatable {
    public var selector: WorkflowExpression
    public var choices: [StepNode]

    public init(selector: WorkflowExpression, choices: [StepNode]) {
        self.selector = selector
        self.choices = choices
    }
}
