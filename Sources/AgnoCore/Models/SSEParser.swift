/// An incremental server-sent-events parser: feed bytes as they arrive, get each event's `data` when it is complete.
/// Lines are read in place: an event whose one `data:` line and blank line arrive in the same read is handed on
/// as a slice of that read, without a copy; only what a read leaves unfinished is kept.
public struct SSEParser: Sendable {
    /// A line begun in an earlier read.
    private var line: [UInt8] = []
    /// The event's data so far, when it did not stay within one read.
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false

    public init() {}

    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// Feeds bytes; calls `onData` with each complete event's data (multi-line data joined by `\n`), valid only
    /// during the call.
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes, onData: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows
    where Bytes.Element == UInt8 {
        let done: Void? = try bytes.withContiguousStorageIfAvailable { buffer in try feed(buffer: buffer, onData) }
        if done == nil { try Array(bytes).withUnsafeBufferPointer { buffer in try feed(buffer: buffer, onData) } }
    }

    /// Ends the stream: an event not followed by a blank line is still delivered.
    public mutating func finish(onData: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var pending: Range<Int>? = nil
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        if !line.isEmpty { try endSavedLine(&pending, onData) }
        try endLine(empty, 0..<0, inBuffer: true, &pending, onData)
    }

    private mutating func feed(buffer: UnsafeBufferPointer<UInt8>, _ onData: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        let n = buffer.count
        guard n > 0 else { return }  // (an empty read must not forget a CR that ended the last one)
        var start = 0
        if lastWasCR, n > 0, buffer[0] == Self.lf { start = 1 }
        lastWasCR = false
        /// The event's one data line so far, within `buffer` (copied to `data` before the read ends).
        var pending: Range<Int>? = nil
        while start < n {
            var end = start
            while end < n, buffer[end] != Self.lf, buffer[end] != Self.cr { end += 1 }
            if end == n { break }
            if line.isEmpty {
                try endLine(buffer, start..<end, inBuffer: true, &pending, onData)
            } else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<end]))
                try endSavedLine(&pending, onData)
            }
            start = end + 1
            if buffer[end] == Self.cr {
                if start == n {
                    lastWasCR = true
                } else if buffer[start] == Self.lf {
                    start += 1
                }
            }
        }
        if start < n { line.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start..<n])) }
        if let pending { data = Array(buffer[pending]) }
    }

    /// Ends the line kept from earlier reads (read from a copy: `endLine` changes the parser). It is a read's
    /// first line, so nothing of this read is pending yet.
    private mutating func endSavedLine(_ pending: inout Range<Int>?, _ onData: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        var saved: [UInt8] = []
        swap(&saved, &line)
        try saved.withUnsafeBufferPointer { copy in try endLine(copy, 0..<copy.count, inBuffer: false, &pending, onData) }
        saved.removeAll(keepingCapacity: true)
        swap(&saved, &line)
    }

    /// One line, `bytes[range]`: a blank line ends the event, a `data:` line adds to it.
    private mutating func endLine(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, inBuffer: Bool, _ pending: inout Range<Int>?,
        _ onData: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) rethrows {
        if range.isEmpty {
            if let slice = pending {
                try onData(UnsafeBufferPointer(rebasing: bytes[slice]))
            } else if hasData {
                try data.withUnsafeBufferPointer { try onData($0) }
            }
            pending = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if bytes[range.lowerBound] == UInt8(ascii: ":") { return }  // a comment (keep-alive)
        let line = bytes[range]
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? range.upperBound
        guard bytes[range.lowerBound..<colon].elementsEqual("data".utf8) else { return }  // event:, id:, retry: are not used here
        var value = min(colon + 1, range.upperBound)..<range.upperBound
        if !value.isEmpty, bytes[value.lowerBound] == UInt8(ascii: " ") { value = (value.lowerBound + 1)..<value.upperBound }
        if !hasData && inBuffer {
            pending = value
            hasData = true
            return
        }
        if let earlier = pending {  // a second data line: both go to `data`
            data = Array(bytes[earlier])
            pending = nil
        }
        if hasData { data.append(UInt8(ascii: "\n")) }
        data.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[value]))
        hasData = true
    }
}
