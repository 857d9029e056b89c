import Foundation

/// What every node may say about failures: retries, a time limit per attempt, and what a failure does.
public struct NodeOptions: Sendable, Equatable {
    /// Attempts after the first one when an attempt fails (agno's `max_retries`).
    public var maxRetries: Int
    /// Seconds one attempt may take; a timed-out attempt is an error.
    public var timeout: TimeInterval?
    public var onError: StepErrorPolicy
    /// agno's HumanReview: pauses of the run before and/or after the node.
    public var humanReview: HumanReview?

    public init(maxRetries: Int = 0, timeout: TimeInterval? = nil, onError: StepErrorPolicy = .fail) {
        self.maxRetries = maxRetries
        self.timeout = timeout
        self.onError = onError
    }
}
