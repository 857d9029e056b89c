import AgnoProtocol
import Foundation

/// Runs one workflow run to its end in the calling task: walks the step tree, feeds each step the previous
/// step's output, and ends the run COMPLETED, ERROR or CANCELLED with exactly one final workflow event.
public struct WorkflowRunner: Sendable {
    public let environment: ExecutionEnvironment

    public init(environment: ExecutionEnvironment) {
        self.environment = environment
    }

    public func run(_ record: RunRecord) async {
        let events = RunEvents(record: record)
        let budget = ToolBudget(limit: record.workflow.toolCallLimit ?? environment.defaultToolCallLimit)
        record.emit(events.workflow(.workflowStarted, [("input", .string(record.input))]))
        var previous = record.input
        var stepIndex = 0
        for node in record.workflow.steps {
            if Task.isCancelled {
                return cancelled(record, events, content: previous == record.input ? nil : previous)
            }
            switch await walk(node, input: previous, record: record, events: events, stepIndex: &stepIndex, budget: budget) {
            case .completed(let output):
                previous = output
            case .failed(let message):
                return record.finish(.error, content: previous == record.input ? nil : previous, error: message,
                                     finalEvent: events.workflow(.workflowError, [("error", .string(message))]))
            case .cancelled(let partial):
                return cancelled(record, events, content: partial)
            }
        }
        record.finish(.completed, content: previous, error: nil, finalEvent: events.workflow(.workflowCompleted, [("content", .string(previous))]))
    }

    private func cancelled(_ record: RunRecord, _ events: RunEvents, content: String?) {
        let reason = record.cancelReason ?? "cancelled"
        record.finish(.cancelled, content: content, error: nil,
                      finalEvent: events.workflow(.workflowCancelled, [("reason", .string(reason)), ("is_cancelled", .bool(true))]))
    }

    /// Runs one node of the step tree; `stepIndex` counts leaf steps in order.
    private func walk(_ node: StepNode, input: String, record: RunRecord, events: RunEvents, stepIndex: inout Int, budget: ToolBudget) async -> StepOutcome {
        switch node {
        case .agent(let step):
            let index = stepIndex
            stepIndex += 1
            let runner = AgentRunner(environment: environment, record: record, events: events, budget: budget)
            let outcome = await runner.run(step: step, index: index, input: input)
            if case .failed = outcome, step.onError == .skip {
                // The step is marked ERROR and the next step gets this step's input.
                return .completed(input)
            }
            return outcome
        }
    }
}
