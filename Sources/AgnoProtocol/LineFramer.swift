/// Splits a byte stream into NDJSON lines, with a maximum line length. Empty lines are skipped.
public struct LineFramer: Sendable {
    /// 1 MiB, protocol v1's default.
    public static let defaultMaxLineLength = 1 << 20

    public struct LineTooLong: Error, CustomStringConvertible {
        public let limit: Int
        public var description: String { "a line is longer than \(limit) bytes" }
    }

    public let maxLineLength: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0

    public init(maxLineLength: Int = LineFramer.defaultMaxLineLength) {
        self.maxLineLength = maxLineLength
    }

    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeSubrange(..<start)
            scanned -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete line (without `\n` or a trailing `\r`), nil when more bytes are needed.
    public mutating func next() throws(LineTooLong) -> [UInt8]? {
        while true {
            guard let nl = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) else {
                scanned = buffer.count
                if buffer.count - start > maxLineLength { throw LineTooLong(limit: maxLineLength) }
                return nil
            }
            if nl - start > maxLineLength { throw LineTooLong(limit: maxLineLength) }
            var end = nl
            if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let line = Array(buffer[start..<end])
            start = nl + 1
            scanned = start
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            return line
        }
    }
}
