/// Reads a JSON document in place, one token at a time, for code that wants a few fields of a known shape
/// without building the document (a model's streamed chunk: one per piece). Strings, numbers and literals are
/// checked as `JSONValue.parse` checks them; a value not wanted is skipped (still checked). Any error means
/// "not what the fast path expects": the caller parses the whole document instead, which says what is wrong.
public struct JSONScanner {
    private var parser: JSONParser
    /// Right after a container's `{` or `[`: its first key or element needs no comma before it.
    private var atStart = false
    public struct Unexpected: Error {}

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { parser = JSONParser(bytes) }

    /// The next value's first byte (after white space), or nil at the end.
    public mutating func peek() -> UInt8? {
        parser.skipSpace()
        return parser.i < parser.bytes.count ? parser.bytes[parser.i] : nil
    }

    private mutating func expect(_ byte: UInt8) throws(Unexpected) {
        guard peek() == byte else { throw Unexpected() }
        parser.i += 1
    }

    public mutating func beginObject() throws(Unexpected) {
        try expect(UInt8(ascii: "{"))
        atStart = true
    }

    public mutating func beginArray() throws(Unexpected) {
        try expect(UInt8(ascii: "["))
        atStart = true
    }

    /// Before the next key or element: the container's end (true), or the comma after the previous one.
    private mutating func atEnd(_ close: UInt8) throws(Unexpected) -> Bool {
        defer { atStart = false }
        if peek() == close {
            parser.i += 1
            return true
        }
        if !atStart { try expect(UInt8(ascii: ",")) }
        return false
    }

    /// The next key of the object being read (its raw bytes, valid as long as the document), or nil at its
    /// end. A key with escapes is refused.
    public mutating func nextKey() throws(Unexpected) -> UnsafeBufferPointer<UInt8>? {
        if try atEnd(UInt8(ascii: "}")) { return nil }
        guard peek() == UInt8(ascii: "\"") else { throw Unexpected() }
        let start = parser.i + 1
        do { try parser.skipString() } catch { throw Unexpected() }
        let key = UnsafeBufferPointer(rebasing: parser.bytes[start..<(parser.i - 1)])
        guard !key.contains(UInt8(ascii: "\\")) else { throw Unexpected() }
        try expect(UInt8(ascii: ":"))
        return key
    }

    /// Whether the array being read has another element; past its end when not.
    public mutating func nextElement() throws(Unexpected) -> Bool { try !atEnd(UInt8(ascii: "]")) }

    public mutating func string() throws(Unexpected) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw Unexpected() }
        do { return try parser.string() } catch { throw Unexpected() }
    }

    /// Reads `null` when it comes next.
    public mutating func null() throws(Unexpected) -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        do { try parser.literal("null") } catch { throw Unexpected() }
        return true
    }

    public mutating func skipValue() throws(Unexpected) {
        _ = peek()
        do { try parser.skipValue() } catch { throw Unexpected() }
    }

    /// Nothing but white space is left.
    public mutating func end() throws(Unexpected) {
        guard peek() == nil else { throw Unexpected() }
    }
}
