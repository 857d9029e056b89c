import NIOCore

/// One inbound NDJSON message: a line, or word that the line limit was passed (the connection then closes).
enum InboundLine: Sendable {
    case line(ByteBuffer)
    case tooLong(limit: Int)
}

/// Splits inbound bytes into lines without `\n` (and a trailing `\r`), skipping empty ones. A line longer than
/// the limit yields `.tooLong` once and everything after it is dropped.
struct LineDecoder: ByteToMessageDecoder {
    typealias InboundOut = InboundLine
    let maxLength: Int
    private var scanned = 0
    private var overflowed = false

    init(maxLength: Int) { self.maxLength = maxLength }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if overflowed {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            return .needMoreData
        }
        let view = buffer.readableBytesView
        guard let nl = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            scanned = view.count
            if view.count > maxLength { return overflow(context, &buffer) }
            return .needMoreData
        }
        let length = nl - view.startIndex
        if length > maxLength { return overflow(context, &buffer) }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        scanned = 0
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        if !line.readableBytesView.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .continue
    }

    private mutating func overflow(_ context: ChannelHandlerContext, _ buffer: inout ByteBuffer) -> DecodingState {
        overflowed = true
        buffer.moveReaderIndex(to: buffer.writerIndex)
        context.fireChannelRead(wrapInboundOut(.tooLong(limit: maxLength)))
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
