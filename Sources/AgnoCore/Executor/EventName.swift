/// Event names, agno's.
public enum EventName: String, Sendable {
    case workflowStarted = "WorkflowStarted"
    case workflowCompleted = "WorkflowCompleted"
    case workflowCancelled = "WorkflowCancelled"
    case workflowError = "WorkflowError"
    case stepStarted = "StepStarted"
    case stepCompleted = "StepCompleted"
    case stepError = "StepError"
    case runStarted = "RunStarted"
    case runContent = "RunContent"
    case runCompleted = "RunCompleted"
    case runError = "RunError"
    case runCancelled = "RunCancelled"
    case toolCallStarted = "ToolCallStarted"
    case toolCallCompleted = "ToolCallCompleted"
    case toolCallError = "ToolCallError"
}
