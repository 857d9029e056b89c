import AgnoProtocol

/// Merges the chunks of a streamed chat completion: content deltas in order, tool-call deltas by their index.
public struct ChatStreamAccumulator: Sendable {
    private struct PartialCall {
        var id = ""
        var name = ""
        var arguments = ""
    }

    private var content = ""
    private var calls: [Int: PartialCall] = [:]
    private var finishReason: String?
    /// Whether `[DONE]` was seen.
    public private(set) var done = false

    public init() {}

    /// Takes one `data:` payload; returns the content delta it carried, if any.
    public mutating func take(_ data: ArraySlice<UInt8>) throws(ModelError) -> String? {
        if data.elementsEqual("[DONE]".utf8) {
            done = true
            return nil
        }
        let chunk: JSONValue
        do {
            chunk = try JSONValue.parse(data)
        } catch {
            throw ModelError(.brokenStream, "the model sent a chunk that is not JSON (\(error))")
        }
        if let err = chunk["error"], !err.isNull {
            let message = err["message"]?.stringValue ?? err.stringValue ?? err.encodedString
            throw ModelError(.brokenStream, "the model reported an error mid-stream: \(message)")
        }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return nil }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        guard let delta = choice["delta"] ?? choice["message"] else { return nil }
        if let toolCalls = delta["tool_calls"]?.arrayValue {
            for (position, call) in toolCalls.enumerated() {
                let index = call["index"]?.intValue ?? position
                var partial = calls[index] ?? PartialCall()
                if let id = call["id"]?.stringValue, !id.isEmpty { partial.id = id }
                if let fn = call["function"] {
                    // OpenAI sends the name once; llama.cpp's server repeats it in every delta.
                    if let name = fn["name"]?.stringValue, name != partial.name { partial.name += name }
                    if let args = fn["arguments"]?.stringValue { partial.arguments += args }
                    else if let args = fn["arguments"], !args.isNull { partial.arguments += args.encodedString }
                }
                calls[index] = partial
            }
        }
        if let text = delta["content"]?.stringValue, !text.isEmpty {
            content += text
            return text
        }
        return nil
    }

    /// The text gathered so far (what a cancelled call keeps).
    public var partialContent: String { content }

    /// The whole turn; tool calls without an id get one, so results can be matched to them.
    public func turn() -> ChatTurn {
        let toolCalls = calls.keys.sorted().compactMap { index -> ToolCall? in
            guard let call = calls[index], !call.name.isEmpty else { return nil }
            return ToolCall(id: call.id.isEmpty ? "call_\(index)" : call.id, name: call.name, arguments: call.arguments)
        }
        return ChatTurn(content: content, toolCalls: toolCalls, finishReason: finishReason)
    }
}
