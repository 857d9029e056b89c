import AgnoCEL

/// An `evaluator`, `end_condition` or `selector`: a CEL program compiled at load, or a constant.
public struct WorkflowExpression: Sendable, Equatable {
    public let source: String
    let program: CELProgram?
    let constant: CELValue?

    /// The CEL variables of each place an expression may appear (WORKFLOWS.md).
    public static let conditionVariables: Set<String> = [
        "input", "previous_step_content", "previous_step_outputs", "additional_data", "session_state",
    ]
    public static let routerVariables = conditionVariables.union(["step_choices"])
    public static let loopVariables: Set<String> = [
        "current_iteration", "max_iterations", "all_success", "last_step_content", "step_outputs",
    ]

    /// Compiles `source` over `variables`; the error is CEL's message with its column.
    public static func compile(_ source: String, variables: Set<String>) throws(CELError) -> WorkflowExpression {
        WorkflowExpression(source: source, program: try CELProgram.compile(source, variables: variables), constant: nil)
    }

    /// A YAML `true`/`false` in place of an expression.
    public static func constant(_ value: Bool) -> WorkflowExpression {
        WorkflowExpression(source: value ? "true" : "false", program: nil, constant: .bool(value))
    }

    /// The strings a selector can return when each of its results is a string literal (`c ? "a" : "b"`), so
    /// that a choice that does not exist is refused at load; nil when the result is computed.
    public var resultLiterals: [String]? { program?.resultStringLiterals }

    public func evaluate(_ bindings: [String: CELValue]) throws(CELError) -> CELValue {
        if let constant { return constant }
        return try program!.evaluate(bindings)
    }

    public static func == (a: WorkflowExpression, b: WorkflowExpression) -> Bool { a.source == b.source }
}
