/// What one model call produced once its stream ended: text and/or tool calls.
public struct ChatTurn: Sendable, Equatable {
    public var content: String
    public var toolCalls: [ToolCall]
    public var finishReason: String?

    public init(content: String = "", toolCalls: [ToolCall] = [], finishReason: String? = nil) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
    }
}
