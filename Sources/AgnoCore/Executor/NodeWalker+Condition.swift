import AgnoCEL
import AgnoProtocol

/// agno's Condition: the evaluator (CEL over the run's data) picks `steps` or `else_steps`; false without
/// `else_steps` skips its steps and passes the input through.
extension NodeWalker {
    @inline(never)
    func runCondition(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard case .condition(let condition) = node.kind else { preconditionFailure("runCondition on a \(node.typeName)") }
        markRunning(node, scope)
        let place = scope.place(of: node)
        let result: Bool
        switch evaluateBool(condition.evaluator, progress.conditionBindings(previous: input), what: "the evaluator of '\(node.name)'") {
        case .success(let b): result = b
        case .failure(let failure):
            announce(.conditionExecutionStarted, place)
            return failNode(node, scope, failure.message)
        }
        announce(.conditionExecutionStarted, place, [("condition_result", .bool(result))])
        let taken = result ? condition.steps : condition.elseSteps
        markSkipped(result ? condition.elseSteps : condition.steps)
        let outcome = taken.isEmpty ? .completed(input) : await sequence(taken, input: input, scope: scope.below(node))
        return finishCompound(node, scope, outcome, completed: .conditionExecutionCompleted) { _ in
            [("condition_result", .bool(result)), ("branch", .string(result ? "if" : "else"))]
        }
    }

    /// Evaluates an expression that must give a bool; a runtime error or another type is the message.
    func evaluateBool(_ expression: WorkflowExpression, _ bindings: [String: CELValue], what: String) -> Result<Bool, ExpressionFailure> {
        do {
            let value = try expression.evaluate(bindings)
            guard case .bool(let b) = value else {
                return .failure(
                    ExpressionFailure(message: "\(what) (\(expression.source)) returned \(value.typeName) \(value), not a bool"))
            }
            return .success(b)
        } catch {
            return .failure(ExpressionFailure(message: "\(what) (\(expression.source)) failed: \(error.message)"))
        }
    }
}

/// Why an expression could not decide.
struct ExpressionFailure: Error {
    var message: String
}
