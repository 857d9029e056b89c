import AgnoProtocol
import Foundation

/// agno's HumanReview on a node: pause before it runs (confirmation, user input) and/or after it ran, before
/// its output is used (output review); what a rejection does; how long to wait and what then happens.
/// On a Loop the pause before comes before every iteration.
public struct HumanReview: Sendable, Equatable {
    public enum OnReject: String, Sendable, CaseIterable {
        /// The node is skipped: its input passes through (a Loop stops where it is).
        case skip
        /// The run ends CANCELLED.
        case cancel
        /// Output review only: the node runs again, and its new output is reviewed.
        case retry
    }

    public enum OnTimeout: String, Sendable, CaseIterable {
        case cancel, skip, approve
    }

    public var requiresConfirmation = false
    public var confirmationMessage: String?
    public var requiresUserInput = false
    public var userInputMessage: String?
    public var userInputSchema: [InputField] = []
    public var requiresOutputReview = false
    public var outputReviewMessage: String?
    public var onReject: OnReject
    /// Seconds to wait for an answer (nil: forever).
    public var timeout: TimeInterval?
    public var onTimeout: OnTimeout = .cancel

    public init(onReject: OnReject = .cancel) {
        self.onReject = onReject
    }

    /// Whether the node pauses before it runs.
    public var asksBefore: Bool { requiresConfirmation || requiresUserInput }

    /// The kind of the pause before the node runs.
    var beforeKind: PauseRequirement.Kind { requiresUserInput ? .userInput : .confirmation }

    var beforeMessage: String? { requiresUserInput ? (userInputMessage ?? confirmationMessage) : confirmationMessage }
}
