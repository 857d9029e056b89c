import AgnoProtocol
import Foundation

/// Runs one workflow run to its end in the calling task: walks the step tree (`NodeWalker`), within the
/// workflow's `timeout`, and ends the run COMPLETED, ERROR or CANCELLED with exactly one final workflow event.
public struct WorkflowRunner: Sendable {
    public let environment: ExecutionEnvironment

    public init(environment: ExecutionEnvironment) {
        self.environment = environment
    }

    public func run(_ record: RunRecord) async {
        await RunSpans.run(record) { await execute(record) }
    }

    /// Only the walk awaits; setting it up and ending the run are synchronous, so the frame the run keeps in its
    /// task for as long as it runs stays small.
    @inline(never)
    private func execute(_ record: RunRecord) async {
        let walker = begin(record)
        let outcome: StepOutcome
        if let seconds = record.workflow.timeout {
            outcome = await walk(walker, record, within: seconds)
        } else {
            outcome = await walker.sequence(record.workflow.steps, input: record.input, scope: WalkScope())
        }
        end(record, outcome, walker.events, walker.progress)
    }

    /// The walk, cancelled when the workflow's `timeout` is up.
    @inline(never)
    private func walk(_ walker: NodeWalker, _ record: RunRecord, within seconds: Double) async -> StepOutcome {
        let interrupt = Interrupt(.timeout)
        let message = "the workflow timed out after \(secondsText(seconds)) s"
        let scope = WalkScope().with(interrupt)
        let (steps, input) = (record.workflow.steps, record.input)
        return await NodeWalker.race(seconds: seconds, interrupt: interrupt, message: message) {
            await walker.sequence(steps, input: input, scope: scope)
        }
    }

    /// The run's walker, after its `WorkflowStarted` (unless it was sent before a pause or restart).
    @inline(never)
    private func begin(_ record: RunRecord) -> NodeWalker {
        let events = RunEvents(record: record)
        let budget = ToolBudget(limit: record.workflow.toolCallLimit ?? environment.defaultToolCallLimit)
        let progress = RunProgress(
            input: record.input, additionalData: record.additionalData ?? .object([]), sessionState: record.sessionState ?? .object([]))
        let ledger = record.ledger
        let walker = NodeWalker(
            environment: environment, record: record, events: events, budget: budget, progress: progress, ledger: ledger)
        if ledger?.alreadySent(.workflowStarted, path: "", iteration: nil) != true {
            record.emit(events.workflow(.workflowStarted, [("input", .string(record.input))]))
        }
        return walker
    }

    /// Ends the run as the walk did, with exactly one final workflow event.
    @inline(never)
    private func end(_ record: RunRecord, _ outcome: StepOutcome, _ events: RunEvents, _ progress: RunProgress) {
        // One end time for the final event's metrics and the summary's finished_at.
        let end = Date()
        switch outcome {
        case .completed(let output, _):
            if Task.isCancelled { return cancelled(record, events, content: output, end: end) }
            record.finish(
                .completed, content: output, error: nil,
                finalEvent: events.workflow(
                    .workflowCompleted, [("content", .string(output)), ("metrics", record.metrics(endingAt: end)?.json)]), at: end)
        case .failed(let message):
            record.finish(
                .error, content: progress.lastContent, error: message,
                finalEvent: events.workflow(
                    .workflowError, [("error", .string(message)), ("metrics", record.metrics(endingAt: end)?.json)]),
                at: end)
        case .cancelled(let partial):
            _ = partial
            cancelled(record, events, content: record.summary.content ?? progress.lastContent, end: end)
        case .paused(let requirement):
            if Task.isCancelled { return cancelled(record, events, content: progress.lastContent, end: end) }
            record.pause(
                requirement, content: progress.lastContent,
                finalEvent: events.workflow(
                    .workflowPaused,
                    [
                        ("step_name", .string(requirement.stepName)), ("step_path", .string(requirement.stepPath)),
                        ("requirement", requirement.json),
                    ]))
        }
    }

    private func cancelled(_ record: RunRecord, _ events: RunEvents, content: String?, end: Date) {
        let reason = record.cancelReason ?? "cancelled"
        record.finish(
            .cancelled, content: content, error: nil,
            finalEvent: events.workflow(
                .workflowCancelled,
                [("reason", .string(reason)), ("is_cancelled", .bool(true)), ("metrics", record.metrics(endingAt: end)?.json)]),
            at: end)
    }
}
