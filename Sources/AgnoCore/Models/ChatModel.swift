/// Something that answers a chat-completions request as a stream: content deltas as they come, the whole turn at the end.
/// Cancelling the calling task must stop the call at once (close the stream), whatever the model is doing.
public protocol ChatModel: Sendable {
    func stream(_ request: ChatRequest, onContent: (String) -> Void) async throws -> ChatTurn
}
