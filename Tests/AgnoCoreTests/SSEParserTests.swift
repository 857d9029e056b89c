import AgnoProtocol
import Testing

@testable import AgnoCore

@Suite struct SSEParserTests {
    func events(_ chunks: [String]) -> [String] {
        var parser = SSEParser()
        var out: [String] = []
        for chunk in chunks { parser.feed(Array(chunk.utf8)) { out.append(String(decoding: $0, as: UTF8.self)) } }
        parser.finish { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }

    @Test func eventsSplitAnywhereAreReassembled() {
        #expect(events(["da", "ta: {\"a\"", ":1}\n", "\ndata: [DONE]\n\n"]) == ["{\"a\":1}", "[DONE]"])
    }

    @Test func crlfCommentsAndOtherFieldsAreHandled() {
        #expect(events([": keep-alive\r\n\r\nevent: x\r\nid: 3\r\ndata:one\r\ndata: two\r\n\r\n"]) == ["one\ntwo"])
    }

    /// Events are read in place within a read and kept across reads: every way of cutting a stream in two or
    /// three reads gives the same events.
    @Test func everySplitOfAStreamGivesTheSameEvents() {
        let stream =
            "data: {\"a\":1}\n\n: ping\r\n\r\nevent: x\r\ndata: one\r\ndata:two\r\n\r\ndata: \r\rid: 7\ndata: last one\n\n"
            + "data: [DONE]\n\ndata: tail"
        let expected = ["{\"a\":1}", "one\ntwo", "", "last one", "[DONE]", "tail"]
        let bytes = Array(stream.utf8)
        #expect(events([stream]) == expected)
        for i in 0...bytes.count {
            let two = [bytes[..<i], bytes[i...]].map { String(decoding: $0, as: UTF8.self) }
            #expect(events(two) == expected, "cut at \(i)")
            for j in i...bytes.count where j % 3 == 0 {
                let three = [bytes[..<i], bytes[i..<j], bytes[j...]].map { String(decoding: $0, as: UTF8.self) }
                #expect(events(three) == expected, "cut at \(i), \(j)")
            }
        }
    }

    @Test func aLastEventWithoutBlankLineIsDelivered() {
        #expect(events(["data: tail"]) == ["tail"])
    }
}

@Suite struct ChatStreamAccumulatorTests {
    func take(_ acc: inout ChatStreamAccumulator, _ json: String) throws -> String? {
        try acc.take(Array(json.utf8)[...])
    }

    @Test func contentDeltasAreReturnedAndJoined() throws {
        var acc = ChatStreamAccumulator()
        #expect(try take(&acc, #"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#) == nil)
        #expect(try take(&acc, #"{"choices":[{"index":0,"delta":{"content":"Once "}}]}"#) == "Once ")
        #expect(try take(&acc, #"{"choices":[{"index":0,"delta":{"content":"upon"},"finish_reason":"stop"}]}"#) == "upon")
        #expect(
            acc.turn()
                == ChatTurn(
                    content: "Once upon", toolCalls: [], finishReason: "stop",
                    metrics: RunMetrics(outputTokens: 2, modelCalls: 1, usageEstimated: true)))
    }

    @Test func theProvidersUsageChunkWinsOverCountedPieces() throws {
        var acc = ChatStreamAccumulator()
        for word in ["a ", "b ", "c"] {
            _ = try take(&acc, #"{"choices":[{"index":0,"delta":{"content":"\#(word)"}}]}"#)
        }
        _ = try take(&acc, #"{"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#)
        #expect(acc.metrics == RunMetrics(outputTokens: 3, modelCalls: 1, usageEstimated: true))
        // OpenAI's last chunk: no choices, the usage (a count that differs from the pieces: it is what is reported).
        #expect(try take(&acc, #"{"choices":[],"usage":{"prompt_tokens":17,"completion_tokens":5,"total_tokens":22}}"#) == nil)
        #expect(acc.metrics == RunMetrics(inputTokens: 17, outputTokens: 5, totalTokens: 22, modelCalls: 1))
        #expect(acc.turn().content == "a b c")
        // A usage with impossible counts is ignored (the pieces are counted): a provider's bug must not stop agnod.
        var negative = ChatStreamAccumulator()
        _ = try take(&negative, #"{"choices":[{"index":0,"delta":{"content":"x"}}]}"#)
        _ = try take(&negative, #"{"choices":[],"usage":{"prompt_tokens":-4,"completion_tokens":2}}"#)
        #expect(negative.metrics == RunMetrics(outputTokens: 1, modelCalls: 1, usageEstimated: true))
        _ = try take(&negative, #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":9223372036854775807}}"#)
        #expect(negative.metrics.usageEstimated)
        // A usage without the counts is ignored.
        var other = ChatStreamAccumulator()
        _ = try take(&other, #"{"choices":[{"index":0,"delta":{"content":"x"}}],"usage":null}"#)
        #expect(other.metrics.usageEstimated && other.metrics.outputTokens == 1)
    }

    @Test func toolCallDeltasAreMergedByIndex() throws {
        var acc = ChatStreamAccumulator()
        _ = try take(
            &acc,
            #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c0","type":"function","function":{"name":"add","arguments":""}}]}}]}"#)
        _ = try take(
            &acc, #"{"choices":[{"delta":{"tool_calls":[{"index":1,"id":"c1","function":{"name":"multiply","arguments":"{\"a\":"}}]}}]}"#)
        _ = try take(&acc, #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"a\":1,"}}]}}]}"#)
        _ = try take(
            &acc,
            #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"b\":2}"}},{"index":1,"function":{"arguments":"3,\"b\":4}"}}]}}]}"#
        )
        _ = try take(&acc, #"{"choices":[{"delta":{},"finish_reason":"tool_calls"}]}"#)
        _ = try take(&acc, "[DONE]")
        #expect(acc.done)
        #expect(
            acc.turn().toolCalls == [
                ToolCall(id: "c0", name: "add", arguments: #"{"a":1,"b":2}"#),
                ToolCall(id: "c1", name: "multiply", arguments: #"{"a":3,"b":4}"#),
            ])
    }

    @Test func aNameRepeatedInEveryDeltaIsNotDoubled() throws {
        var acc = ChatStreamAccumulator()
        for part in ["{\\\"", "a\\\":", "2}"] {
            _ = try take(
                &acc,
                #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"multiply","arguments":"\#(part)"}}]}}]}"#)
        }
        #expect(acc.turn().toolCalls == [ToolCall(id: "c", name: "multiply", arguments: #"{"a":2}"#)])
    }

    @Test func anErrorChunkBecomesAModelError() {
        var acc = ChatStreamAccumulator()
        #expect(throws: ModelError.self) { try take(&acc, #"{"error":{"message":"overloaded"}}"#) }
        #expect(throws: ModelError.self) { try take(&acc, "{garbage") }
    }
}

@Suite struct SecretRedactorTests {
    @Test func keysAndBearerTokensAreRemoved() {
        let text = SecretRedactor.redact(
            "Incorrect API key provided: sk-abc1234567890xyz; header Bearer sk-abc1234567890xyz; raw KEYVALUE99", secrets: ["KEYVALUE99"])
        #expect(!text.contains("abc1234567890xyz"))
        #expect(!text.contains("KEYVALUE99"))
        #expect(text.contains("[redacted]"))
    }
}
