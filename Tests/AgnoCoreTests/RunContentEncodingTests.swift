import AgnoProtocol
import Testing

@testable import AgnoCore

/// `RunContent` events are written straight to bytes; they must be the bytes the generic encoder writes.
@Suite struct RunContentEncodingTests {
    let events = RunEvents(runID: "run-1", sessionID: "sess \"1\"", workflowName: "wf")

    /// The generic event with its time set to `ms`.
    func generic(_ delta: String, _ context: RunEvents.AgentContext, ms: Int64) throws -> [UInt8] {
        guard case .object(var pairs) = events.agent(.runContent, context, [("content", .string(delta))]) else {
            Issue.record("not an object")
            return []
        }
        let at = try #require(pairs.firstIndex { $0.0 == "created_at" })
        pairs[at].1 = .double(Double(ms) / 1000)
        return JSONValue.object(pairs).encoded
    }

    @Test(arguments: ["plain", "", "quote \" back\\slash\nnew line\t\u{1}", "ünïcødé 🙂 中文", "</script>"])
    func aPieceIsEncodedAsTheGenericEventIs(delta: String) throws {
        let places = [
            StepPlace(name: "write", index: 0, path: "write", type: "Step"),
            StepPlace(name: "draft \"x\"", index: 7, path: "loop[2]/draft", type: "Loop", iteration: 2, attempt: 3, resumed: true),
        ]
        for place in places {
            let context = events.agentContext(agentRunID: "agent-run", place: place, agentID: "a1", agentName: "Writer")
            for ms: Int64 in [1_796_532_123_456, 1_796_532_123_450, 1_796_532_123_400, 1_796_532_123_000, 1_796_532_123_001] {
                #expect(events.runContent(delta, context, at: ms) == (try generic(delta, context, ms: ms)))
            }
        }
    }

    @Test func eventTimesAreWrittenAsTheDoubleEncoderWritesThem() {
        var samples: [Int64] = [0, 1, 9, 10, 100, 999, 1000, 1001, 1010, 1100, 123_456_789, 1_796_532_123_456, 4_102_444_800_000]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { samples.append(Int64.random(in: 0..<5_000_000_000_000, using: &generator)) }
        for ms in samples {
            var out: [UInt8] = []
            EventTime.writeSeconds(milliseconds: ms, into: &out)
            #expect(out == JSONValue.double(Double(ms) / 1000).encoded, "\(ms)")
        }
    }
}
