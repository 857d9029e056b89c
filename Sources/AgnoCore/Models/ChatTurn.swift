import AgnoProtocol

/// What one model call produced once its stream ended: text and/or tool calls, and its tokens and times.
public struct ChatTurn: Sendable, Equatable {
    public var content: String
    public var toolCalls: [ToolCall]
    public var finishReason: String?
    public var metrics: RunMetrics

    public init(content: String = "", toolCalls: [ToolCall] = [], finishReason: String? = nil, metrics: RunMetrics = RunMetrics()) {
        self.content = content
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.metrics = metrics
    }
}
