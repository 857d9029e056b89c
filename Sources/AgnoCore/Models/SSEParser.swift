/// An incremental server-sent-events parser: feed bytes as they arrive, get each event's `data` when it is complete.
public struct SSEParser: Sendable {
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var lastWasCR = false

    public init() {}

    /// Feeds bytes; calls `onData` with each complete event's data (multi-line data joined by `\n`).
    public mutating func feed<Bytes: Collection>(_ bytes: Bytes, onData: (ArraySlice<UInt8>) throws -> Void) rethrows
    where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return }  // (an empty read must not forget a CR that ended the last one)
        var start = bytes.startIndex
        if lastWasCR, start != bytes.endIndex, bytes[start] == UInt8(ascii: "\n") {
            start = bytes.index(after: start)
        }
        lastWasCR = false
        while let end = bytes[start...].firstIndex(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            line.append(contentsOf: bytes[start..<end])
            try endLine(onData)
            start = bytes.index(after: end)
            if bytes[end] == UInt8(ascii: "\r") {
                if start == bytes.endIndex {
                    lastWasCR = true
                } else if bytes[start] == UInt8(ascii: "\n") {
                    start = bytes.index(after: start)
                }
            }
        }
        line.append(contentsOf: bytes[start...])
    }

    /// Ends the stream: an event not followed by a blank line is still delivered.
    public mutating func finish(onData: (ArraySlice<UInt8>) throws -> Void) rethrows {
        if !line.isEmpty { try endLine(onData) }
        try endLine(onData)
    }

    private mutating func endLine(_ onData: (ArraySlice<UInt8>) throws -> Void) rethrows {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            if hasData { try onData(data[...]) }
            data.removeAll(keepingCapacity: true)
            hasData = false
            return
        }
        if line.first == UInt8(ascii: ":") { return }  // a comment (keep-alive)
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        guard line[..<colon].elementsEqual("data".utf8) else { return }  // event:, id:, retry: are not used here
        var value = line[min(colon + 1, line.endIndex)...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if hasData { data.append(UInt8(ascii: "\n")) }
        data.append(contentsOf: value)
        hasData = true
    }
}
