/// Something that answers a chat-completions request as a stream: content deltas as they come, the whole turn at the end.
/// Cancelling the calling task must stop the call at once (close the stream), whatever the model is doing.
public protocol ChatModel: Sendable {
    /// `pace` is awaited after each piece of the stream is handled: the caller's backpressure (a run whose
    /// events the store has not caught up with waits there, and so does its model connection).
    func stream(_ request: ChatRequest, onContent: (String) -> Void, pace: () async -> Void) async throws -> ChatTurn
}

extension ChatModel {
    public func stream(_ request: ChatRequest, onContent: (String) -> Void) async throws -> ChatTurn {
        try await stream(request, onContent: onContent, pace: {})
    }
}
