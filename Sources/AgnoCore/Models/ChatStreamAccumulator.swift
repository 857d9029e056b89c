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
    public private(set) var finishReason: String?
    /// The provider's `usage` (sent in a last chunk when asked with `stream_options.include_usage`).
    private var usage: (input: Int, output: Int, total: Int)?
    /// Chunks that carried text or a tool-call piece: the output tokens when the provider reports no usage
    /// (llama.cpp's server streams one token per chunk).
    public private(set) var pieces = 0
    /// Token counts a provider may report; anything else (negative, absurd) is ignored and the pieces counted.
    static let plausible = 0...(1 << 40)
    /// Whether `[DONE]` was seen.
    public private(set) var done = false

    public init() {}

    /// Every chunk through the whole parse, none through `ChatChunkScan` (tests compare the two).
    var wholeParseOnly = false

    /// Takes one `data:` payload; returns the content delta it carried, if any.
    public mutating func take(_ data: ArraySlice<UInt8>) throws(ModelError) -> String? {
        try data.withUnsafeBufferPointer { (buffer) throws(ModelError) -> String? in try take(buffer) }
    }

    /// Takes one `data:` payload (valid during the call); returns the content delta it carried, if any.
    public mutating func take(_ data: UnsafeBufferPointer<UInt8>) throws(ModelError) -> String? {
        if data.elementsEqual("[DONE]".utf8) {
            done = true
            return nil
        }
        if !wholeParseOnly, let piece = ChatChunkScan.read(data) {
            if let reason = piece.finishReason { finishReason = reason }
            guard let text = piece.content, !text.isEmpty else { return nil }
            pieces += 1
            content += text
            return text
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
        if let u = chunk["usage"], let input = u["prompt_tokens"]?.intValue, let output = u["completion_tokens"]?.intValue,
            Self.plausible.contains(input), Self.plausible.contains(output)
        {
            let total = u["total_tokens"]?.intValue ?? input + output
            usage = (input, output, Self.plausible.contains(total) ? total : input + output)
        }
        guard let choice = chunk["choices"]?.arrayValue?.first else { return nil }
        if let reason = choice["finish_reason"]?.stringValue { finishReason = reason }
        guard let delta = choice["delta"] ?? choice["message"] else { return nil }
        // A chunk is one piece, whether it carries text, a tool-call delta or both.
        var counted = false
        if let toolCalls = delta["tool_calls"]?.arrayValue, !toolCalls.isEmpty {
            pieces += 1
            counted = true
            for (position, call) in toolCalls.enumerated() {
                let index = call["index"]?.intValue ?? position
                var partial = calls[index] ?? PartialCall()
                if let id = call["id"]?.stringValue, !id.isEmpty { partial.id = id }
                if let fn = call["function"] {
                    // OpenAI sends the name once; llama.cpp's server repeats it in every delta.
                    if let name = fn["name"]?.stringValue, name != partial.name { partial.name += name }
                    if let args = fn["arguments"]?.stringValue {
                        partial.arguments += args
                    } else if let args = fn["arguments"], !args.isNull {
                        partial.arguments += args.encodedString
                    }
                }
                calls[index] = partial
            }
        }
        if let text = delta["content"]?.stringValue, !text.isEmpty {
            if !counted { pieces += 1 }
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
        return ChatTurn(content: content, toolCalls: toolCalls, finishReason: finishReason, metrics: metrics)
    }

    /// The call's tokens: the provider's usage, or else the output counted in pieces (`usage_estimated`).
    public var metrics: RunMetrics {
        if let usage {
            return RunMetrics(inputTokens: usage.input, outputTokens: usage.output, totalTokens: usage.total, modelCalls: 1)
        }
        return RunMetrics(outputTokens: pieces, modelCalls: 1, usageEstimated: true)
    }
}
