/// agno's Condition: `steps` when the evaluator is true, else `else_steps` (or nothing: the input passes through).
public struct ConditionNode: Sendable, Equatable {
    public var evaluator: WorkflowExpression
    public var steps: [StepNode]
    public var elseSteps: [StepNode]

    public init(evaluator: WorkflowExpression, steps: [StepNode], elseSteps: [StepNode] = []) {
        self.evaluator = evaluator
        self.steps = steps
        self.elseSteps = elseSteps
    }
}
