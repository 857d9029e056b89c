/// agno's Loop: its steps, again and again, until the end condition holds after an iteration or
/// `max_iterations` ran.
public struct LoopNode: Sendable, Equatable {
    public var steps: [StepNode]
    public var maxIterations: Int
    public var endCondition: WorkflowExpression?

    public init(steps: [StepNode], maxIterations: Int, endCondition: WorkflowExpression? = nil) {
        self.steps = steps
        self.maxIterations = maxIterations
        self.endCondition = endCondition
    }
}
