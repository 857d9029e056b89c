import AgnoCore
import AgnoProtocol
import NIOCore

/// Writes reply lines to one connection. Safe to use from the connection's concurrent request tasks:
/// each line is one write, so lines never interleave.
struct ReplyWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let allocator = ByteBufferAllocator()

    func send(_ line: [UInt8]) async throws {
        try await outbound.write(allocator.buffer(bytes: line))
    }

    /// Event frames for one request, built straight into one buffer and written at once (replays, fan-out):
    /// the stored event bytes are copied once, with no intermediate array per frame.
    func send(events: [EncodedEvent], idPrefix: [UInt8]) async throws {
        var buffer = allocator.buffer(
            capacity: events.reduce(0) { $0 + $1.json.count } + events.count * (idPrefix.count + ByteBuffer.frameOverhead))
        for event in events { buffer.writeEventFrame(idPrefix: idPrefix, seq: event.seq, eventJSON: event.json) }
        try await outbound.write(buffer)
    }

    /// The frames of a block of stored events (a replay), straight from the block's bytes.
    func send(_ block: EventBlock, idPrefix: [UInt8]) async throws {
        var buffer = allocator.buffer(capacity: block.json.count + block.count * (idPrefix.count + ByteBuffer.frameOverhead))
        buffer.writeEventFrames(idPrefix: idPrefix, block)
        try await outbound.write(buffer)
    }
}
