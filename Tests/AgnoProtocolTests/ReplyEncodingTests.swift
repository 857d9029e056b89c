import AgnoProtocol
import Foundation
import Testing

@Suite struct ReplyEncodingTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func resultIsOneCompactLine() {
        let line = text(ReplyEncoder.result(.int(1), .object([("cancelled", true), ("status", "RUNNING")])))
        #expect(line == "{\"id\":1,\"type\":\"result\",\"result\":{\"cancelled\":true,\"status\":\"RUNNING\"}}\n")
    }

    @Test func errorCarriesCodeMessageAndRetryAfter() {
        let line = text(ReplyEncoder.error(.null, ProtocolError(.busy, "full", retryAfterMs: 250)))
        #expect(line == "{\"id\":null,\"type\":\"error\",\"error\":{\"code\":\"busy\",\"message\":\"full\",\"retry_after_ms\":250}}\n")
    }

    @Test func eventSplicesTheStoredEventBytes() {
        let event = JSONValue.object([("event", "RunContent"), ("content", "a\"b\n")]).encoded
        let line = text(ReplyEncoder.event(.string("s"), seq: 42, eventJSON: event))
        #expect(line == "{\"id\":\"s\",\"type\":\"event\",\"seq\":42,\"event\":{\"event\":\"RunContent\",\"content\":\"a\\\"b\\n\"}}\n")
        let parsed = try? JSONValue.parse(Array(line.utf8.dropLast()))
        #expect(Reply(json: parsed!) == .event(.string("s"), seq: 42, .object([("event", "RunContent"), ("content", "a\"b\n")])))
    }

    @Test func controlCharactersAndUnicodeAreEncodedAsValidJSON() throws {
        let value = JSONValue.string("tab\there \u{01} é 🐉")
        let bytes = value.encoded
        #expect(text(bytes) == "\"tab\\there \\u0001 é 🐉\"")
        #expect(try JSONValue.parse(bytes) == value)
    }

    @Test func summaryRoundTrips() throws {
        let summary = RunSummary(
            runID: "r", sessionID: "s", workflow: "w", status: .cancelled, ownerUID: 1000, owner: "alice", input: "in", content: "part",
            createdAt: Date(timeIntervalSince1970: 1_795_800_000.123), startedAt: Date(timeIntervalSince1970: 1_795_800_001),
            lastSeq: 9, steps: [StepSummary(name: "a", index: 0, status: .completed, content: "x"), StepSummary(name: "b", index: 1, status: .cancelled)])
        let back = RunSummary(json: try JSONValue.parse(summary.json.encoded))
        #expect(back?.json.encoded == summary.json.encoded)
        #expect(abs(back!.createdAt.timeIntervalSince(summary.createdAt)) < 0.001)
        #expect(summary.json["created_at"]?.stringValue == "2026-11-27T17:20:00.123Z")
        #expect(summary.json["finished_at"] == .null)
    }
}
