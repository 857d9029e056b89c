import AgnoProtocol
@testable import AgnoDaemon
import NIOCore
import Testing

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
}
