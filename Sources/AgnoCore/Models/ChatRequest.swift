import AgnoProtocol

/// One streamed chat-completions call.
public struct ChatRequest: Sendable {
    public var model: String
    public var messages: [ChatMessage]
    /// OpenAI `tools` entries (function specs).
    public var tools: [JSONValue]
    /// OpenAI `tool_choice` (nil: the server's default).
    public var toolChoice: JSONValue?
    public var temperature: Double?
    public var maxTokens: Int?
    /// Whether to ask for the call's usage (`stream_options.include_usage`); a provider's `stream_usage: false`
    /// turns it off for servers that refuse the option.
    public var includeUsage = true

    public init(
        model: String, messages: [ChatMessage], tools: [JSONValue] = [], toolChoice: JSONValue? = nil, temperature: Double? = nil,
        maxTokens: Int? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.maxTokens = maxTokens
    }

    /// The request body, always with `stream: true`.
    public var body: JSONValue {
        .compactObject([
            ("model", .string(model)),
            ("messages", .array(messages.map(\.json))),
            ("stream", .bool(true)),
            // The tokens of the call, in a last chunk (OpenAI, vLLM, Ollama; servers that do not know it ignore it).
            ("stream_options", includeUsage ? .object([("include_usage", .bool(true))]) : nil),
            ("tools", tools.isEmpty ? nil : .array(tools)),
            ("tool_choice", tools.isEmpty ? nil : toolChoice),
            ("temperature", temperature.map(JSONValue.double)),
            ("max_tokens", maxTokens.map(JSONValue.int)),
        ])
    }
}
