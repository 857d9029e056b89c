import AgnoProtocol
import Foundation
import Logging
import MCP
import NIOCore
import NIOPosix

/// MCP's stdio transport over a child's pipes, event-driven on NIO (the SDK's own stdio transport polls
/// every 10 ms): newline-delimited JSON-RPC messages each way.
actor PipeTransport: Transport {
    nonisolated let logger: Logger
    private let input: Int32
    private let output: Int32
    private var channel: Channel?
    private let messages: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation

    /// `input`: where requests are written (the child's stdin); `output`: where answers are read.
    init(input: Int32, output: Int32, logger: Logger) {
        self.input = input
        self.output = output
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream<Data, Swift.Error>.makeStream()
    }

    func connect() async throws {
        guard channel == nil else { return }
        let continuation = self.continuation
        channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(LineReader(continuation: continuation))
                }
            }
            .takingOwnershipOfDescriptors(input: output, output: input).get()
    }

    func disconnect() async {
        try? await channel?.close()
        channel = nil
        continuation.finish()
    }

    func send(_ data: Data) async throws {
        guard let channel else { throw MCPError.internalError("the MCP server's pipe is closed") }
        var buffer = channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "\n"))
        try await channel.writeAndFlush(buffer)
    }

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { messages }
}

/// Splits what the server writes into messages (one JSON-RPC message per line, at most 64 MB).
final class LineReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private var framer = LineFramer(maxLineLength: 64 << 20)
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation

    init(continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation) {
        self.continuation = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let line = try framer.next() { continuation.yield(Data(line)) }
        } catch {
            // A line over 64 MB: nothing sensible can follow; the server is restarted on the next call.
            context.close(promise: nil)
        }
    }

    // At EOF the stream is not finished here: the SDK's client would then spin re-reading a finished
    // stream. The server's exit is noticed by its reaper, which disconnects the client (finishing it).
    func channelInactive(context: ChannelHandlerContext) {
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The read side reached EOF (the server exited or closed stdout).
        if event is ChannelEvent, case .inputClosed = event as! ChannelEvent {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
