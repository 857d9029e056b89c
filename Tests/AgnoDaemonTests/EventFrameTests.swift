import AgnoCore
import AgnoProtocol
import NIOCore
import Testing

@testable import AgnoDaemon

/// Frames built straight into a ByteBuffer are byte for byte the protocol's `ReplyEncoder.event`.
@Suite struct EventFrameTests {
    @Test(arguments: [0, 1, 9, 10, 99, 100, 12_345, 1_000_000_007, Int.max, -1, Int.min + 1])
    func theBufferFrameIsTheEncodersFrame(seq: Int) {
        let event = Array(#"{"event":"RunContent","content":"ünï \"q\""}"#.utf8)
        for id in [RequestID.int(7), .string("a\"b"), .null] {
            var buffer = ByteBufferAllocator().buffer(capacity: 0)
            buffer.writeEventFrame(idPrefix: ReplyEncoder.idPrefix(id), seq: seq, eventJSON: event)
            #expect(Array(buffer.readableBytesView) == ReplyEncoder.event(id, seq: seq, eventJSON: event))
        }
    }

    /// A block's frames (a replay's) are its events' frames one after the other, empty events and all.
    @Test func aBlocksFramesAreItsEventsFramesInOrder() {
        let events = [7, 8, 9, 10, 11, 100].map { seq in
            EncodedEvent(
                seq: seq, json: seq == 9 ? [] : Array(#"{"event":"RunContent","content":"\#(String(repeating: "é", count: seq))"}"#.utf8))
        }
        let prefix = ReplyEncoder.idPrefix(.string("r-1"))
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeEventFrames(idPrefix: prefix, EventBlock(events))
        #expect(Array(buffer.readableBytesView) == events.flatMap { ReplyEncoder.event(.string("r-1"), seq: $0.seq, eventJSON: $0.json) })
        var empty = ByteBufferAllocator().buffer(capacity: 0)
        empty.writeEventFrames(idPrefix: prefix, EventBlock())
        #expect(empty.readableBytes == 0)
    }
}
