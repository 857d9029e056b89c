import AgnoProtocol
import Testing

@testable import AgnoCore

/// The in-place read of the usual chunk must take every chunk exactly as the whole parse does: the same
/// pieces returned, the same errors, the same turn at the end.
@Suite struct ChatChunkScanTests {
    static let chunks: [String] = [
        #"{"id":"c1","object":"chat.completion.chunk","created":1796532123,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}"#,
        #"{"id":"c1","choices":[{"index":0,"delta":{"content":"Once "},"logprobs":null,"finish_reason":null}],"usage":null}"#,
        #"{"choices":[{"delta":{"content":"upon \"a\" time\n\u00e9\ud83d\ude00"}}]}"#,
        #"{"choices":[{"delta":{"content":null},"finish_reason":"stop"}]}"#,
        #"{"choices":[{"delta":{},"finish_reason":"length"}],"system_fingerprint":"x","extra":{"a":[1,2,{"b":null}]}}"#,
        #"{"choices":[]}"#, #"{"choices":null}"#, #"{}"#, #"[]"#, #""text""#, #"{"choices":[{"delta":"odd"}]}"#,
        #"{"choices":[{"delta":{"content":["parts"]}}]}"#, #"{"choices":[{"delta":{"content":"a"},"finish_reason":7}]}"#,
        #"{"choices":[{"delta":{"content":"first"},"delta":{"content":"second"}}]}"#,
        #"{"choices":[{"delta":{"content":"a","content":"b"}}]}"#,
        #"{"choices":[{"delta":{"content":"x"}},{"delta":{"content":"second choice"}}]}"#,
        #"{"choices":[{"message":{"content":"whole"},"finish_reason":"stop"}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[]}}]}"#, #"{"choices":[{"delta":{"tool_calls":null,"content":"t"}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"get","arguments":"{\"q\""}}]}}]}"#,
        #"{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]},"finish_reason":"tool_calls"}]}"#,
        #"{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#,
        #"{"error":{"message":"overloaded"}}"#, #"{"error":null,"choices":[{"delta":{"content":"ok"}}]}"#,
        #"{"choices":[{"delta":{"content":"a"}}]} trailing"#, #"{"choices":[{"delta":{"content":"a"}}"#, #"{"id":"a\q"}"#,
        "{\"choices\":[{\"delta\":{\"content\":\"bad \u{1} control\"}}]}", #"{"ch\u006fices":[{"delta":{"content":"escaped key"}}]}"#,
        #"  {"choices" : [ { "delta" : { "content" : "spaced" } } ] }  "#, "[DONE]",
        // What the scan skips must still be JSON:
        "{\"id\":\"a\u{1}\",\"choices\":[]}", #"{"id":tru,"choices":[]}"#, #"{"id":01,"choices":[]}"#, #"{"id":"open"#,
        #"{"id":"a\"b\\c\u00e9","choices":[{"delta":{"content":"after an escaped id"}}],"x":[{"y":[true,false,null,-1.5e3]}]}"#,
    ]

    func outcomes(_ chunks: [[UInt8]], wholeParseOnly: Bool) -> (results: [String], turn: ChatTurn, pieces: Int, done: Bool) {
        var accumulator = ChatStreamAccumulator()
        accumulator.wholeParseOnly = wholeParseOnly
        var results: [String] = []
        for chunk in chunks {
            do {
                results.append(try chunk.withUnsafeBufferPointer { try accumulator.take($0) } ?? "<nil>")
            } catch {
                results.append("error: \(error)")
            }
        }
        return (results, accumulator.turn(), accumulator.pieces, accumulator.done)
    }

    @Test func everyChunkIsTakenAsTheWholeParseTakesIt() {
        for chunk in Self.chunks {
            let bytes = [Array(chunk.utf8)]
            let scanned = outcomes(bytes, wholeParseOnly: false)
            let parsed = outcomes(bytes, wholeParseOnly: true)
            #expect(scanned.results == parsed.results, "\(chunk)")
            #expect(scanned.turn == parsed.turn && scanned.pieces == parsed.pieces && scanned.done == parsed.done, "\(chunk)")
        }
        let all = Self.chunks.map { Array($0.utf8) } + [[0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D]]  // (and bytes that are not UTF-8)
        let scanned = outcomes(all, wholeParseOnly: false)
        let parsed = outcomes(all, wholeParseOnly: true)
        #expect(scanned.results == parsed.results)
        #expect(scanned.turn == parsed.turn && scanned.pieces == parsed.pieces)
    }

    @Test func theUsualChunkIsReadInPlace() {
        let usual = Array(Self.chunks[1].utf8)
        let piece = usual.withUnsafeBufferPointer { ChatChunkScan.read($0) }
        #expect(piece?.content == "Once ")
        #expect(piece?.finishReason == nil)
        let toolCall = Array(Self.chunks[19].utf8)
        #expect(toolCall.withUnsafeBufferPointer { ChatChunkScan.read($0) } == nil)  // left to the whole parse
    }
}
