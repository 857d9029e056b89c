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

    /// Several lines in one write (replays).
    func send(lines: [[UInt8]]) async throws {
        var buffer = allocator.buffer(capacity: lines.reduce(0) { $0 + $1.count })
        for line in lines { buffer.writeBytes(line) }
        try await outbound.write(buffer)
    }
}
