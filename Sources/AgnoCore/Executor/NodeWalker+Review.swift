import AgnoProtocol
import Foundation

/// agno's HumanReview: a node pauses the run before it runs (confirmation, user input) or after it ran
/// (output review). The pause is an outcome, `.paused`, that goes up the tree; the run then ends its task
/// PAUSED. When the pause is answered (`continue`), the run walks its tree again against what it did
/// (`ResumeLedger`), and the answered node finds its answer here instead of pausing again.
extension NodeWalker {
    enum BeforeReview {
        /// Run the node; the answer (with its user input) goes to the nodes below.
        case proceed(Review?)
        /// An answer skips the node.
        case skip
        /// The node does not run: it paused, was skipped, or the run was cancelled.
        case ended(StepOutcome)
    }

    /// The review before `node` runs, at `path` (a Loop's: `NAME[i]`, before iteration i).
    @inline(never)
    func reviewBefore(_ node: StepNode, _ review: HumanReview, path: String, input: String, scope: WalkScope) -> BeforeReview {
        guard let answer = ledger?.review(at: path, [.confirmation, .userInput]) else {
            return .ended(pause(node, review, review.beforeKind, path: path, scope: scope, content: nil))
        }
        switch answer.action {
        case .approve, .retry: return .proceed(answer)
        case .skip: return .skip
        case .cancel: return .ended(.cancelled(partial: input))
        }
    }

    /// A node with output review that completed before the run paused or stopped: its stored output is used
    /// once it was approved, it is skipped when the answer said so, and otherwise it is still waiting.
    @inline(never)
    func reviewedBefore(_ node: StepNode, _ review: HumanReview, _ result: NodeResult, input: String, scope: WalkScope)
        -> StepOutcome
    {
        let path = scope.place(of: node).path
        guard let answer = ledger?.review(at: path, [.outputReview]), answer.seq > result.seq else {
            return pause(node, review, .outputReview, path: path, scope: scope, content: result.output)
        }
        switch answer.action {
        case .approve:
            mark(node, result.succeeded ? .completed : .error, content: result.output)
            return completed(node, .completed(result.output, succeeded: result.succeeded), scope)
        case .skip, .retry: return skipped(node, input: input, scope: scope)
        case .cancel: return .cancelled(partial: input)
        }
    }

    /// Pauses at `node`: `StepPaused` with the requirement, the node PAUSED in the summary.
    @inline(never)
    func pause(
        _ node: StepNode, _ review: HumanReview, _ kind: PauseRequirement.Kind, path: String, scope: WalkScope, content: String?
    ) -> StepOutcome {
        var place = scope.place(of: node)
        place.path = path
        let message: String?
        switch kind {
        case .outputReview: message = review.outputReviewMessage ?? "Review the output of '\(node.name)'"
        case .userInput, .confirmation: message = review.beforeMessage ?? "Run '\(node.name)'?"
        }
        // A rejection before the node runs cannot retry it: it cancels (agno's default for a Step).
        let onReject = kind != .outputReview && review.onReject == .retry ? HumanReview.OnReject.cancel : review.onReject
        let now = Date()
        var requirement = PauseRequirement(
            kind: kind, stepName: node.name, stepIndex: node.index, stepPath: path, message: message,
            schema: kind == .userInput ? review.userInputSchema : [], content: content, onReject: onReject.rawValue,
            expiresAt: review.timeout.map { now.addingTimeInterval($0) },
            onTimeout: review.timeout == nil ? nil : review.onTimeout.rawValue,
            pausedAt: now)
        mark(node, .paused)
        requirement.seq = record.emit(events.step(.stepPaused, place, [("requirement", requirement.json)]))
        return .paused(requirement)
    }

    /// The node is skipped by an answer: SKIPPED (with everything under it), its input passes through.
    @inline(never)
    func skipped(_ node: StepNode, input: String, scope: WalkScope) -> StepOutcome {
        markSkipped([node])
        return completed(node, .completed(input, succeeded: false), scope)
    }
}
