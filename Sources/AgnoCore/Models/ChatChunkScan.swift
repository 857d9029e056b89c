import AgnoProtocol

/// The usual streamed chunk (`{"id":…,"choices":[{"index":0,"delta":{"content":"…"},"finish_reason":null}]}`)
/// read in place: its text and finish reason, nothing built. Anything else (tool-call pieces, usage, an
/// error, a `message` instead of a `delta`, a key twice, a value of an unexpected type, bytes that are not
/// UTF-8 or not JSON) is left to `ChatStreamAccumulator`'s whole parse, which handles or reports it.
struct ChatChunkScan {
    var content: String?
    var finishReason: String?

    static func read(_ data: UnsafeBufferPointer<UInt8>) -> ChatChunkScan? {
        guard String(validating: data, as: UTF8.self) != nil else { return nil }
        var scanner = JSONScanner(data)
        var result = ChatChunkScan()
        do {
            try scanner.beginObject()
            var sawChoices = false
            while let key = try scanner.nextKey() {
                if key.elementsEqual("choices".utf8) {
                    guard !sawChoices else { return nil }
                    sawChoices = true
                    guard try readChoices(&scanner, into: &result) else { return nil }
                } else if key.elementsEqual("usage".utf8) || key.elementsEqual("error".utf8) {
                    guard try scanner.null() else { return nil }
                } else {
                    try scanner.skipValue()
                }
            }
            try scanner.end()
        } catch {
            return nil
        }
        return result
    }

    /// The first choice's delta text and finish reason; false when the chunk is not the usual kind.
    private static func readChoices(_ scanner: inout JSONScanner, into result: inout ChatChunkScan) throws(JSONScanner.Unexpected) -> Bool {
        try scanner.beginArray()
        var first = true
        while try scanner.nextElement() {
            defer { first = false }
            guard first else {
                try scanner.skipValue()
                continue
            }
            try scanner.beginObject()
            var seen = Seen()
            while let key = try scanner.nextKey() {
                if key.elementsEqual("finish_reason".utf8) {
                    guard seen.first(.finishReason) else { return false }
                    if try !scanner.null() { result.finishReason = try scanner.string() }
                } else if key.elementsEqual("delta".utf8) {
                    guard seen.first(.delta) else { return false }
                    if try !scanner.null() { guard try readDelta(&scanner, into: &result) else { return false } }
                } else if key.elementsEqual("message".utf8) {
                    return false
                } else {
                    try scanner.skipValue()
                }
            }
        }
        return true
    }

    private static func readDelta(_ scanner: inout JSONScanner, into result: inout ChatChunkScan) throws(JSONScanner.Unexpected) -> Bool {
        try scanner.beginObject()
        var seen = Seen()
        while let key = try scanner.nextKey() {
            if key.elementsEqual("content".utf8) {
                guard seen.first(.content) else { return false }
                if try !scanner.null() { result.content = try scanner.string() }
            } else if key.elementsEqual("tool_calls".utf8) {
                guard seen.first(.toolCalls) else { return false }
                if try scanner.null() { continue }
                try scanner.beginArray()
                guard try !scanner.nextElement() else { return false }  // a tool-call piece
            } else {
                try scanner.skipValue()
            }
        }
        return true
    }

    /// The keys read so far in one object (the whole parse takes a key's first value; here a key seen twice
    /// goes to it).
    private struct Seen {
        enum Key: UInt8 {
            case finishReason = 1
            case delta = 2
            case content = 4
            case toolCalls = 8
        }
        private var bits: UInt8 = 0

        /// True the first time `key` is seen.
        mutating func first(_ key: Key) -> Bool {
            defer { bits |= key.rawValue }
            return bits & key.rawValue == 0
        }
    }
}
