/// Values checked as JSON but not built (`JSONScanner`: a model's chunk carries ids, names and times nobody
/// reads, once per streamed piece).
extension JSONParser {
    /// Past a value: a string scanned, anything else parsed and dropped (numbers and literals build nothing
    /// on the heap; objects and arrays are rare in what is skipped).
    mutating func skipValue() throws(Failure) {
        guard i < bytes.count else { throw fail("unexpected end of input") }
        if bytes[i] == UInt8(ascii: "\"") { try skipString() } else { _ = try value() }
    }

    /// Past a string, checked as `string()` checks it (one with escapes is read by it).
    mutating func skipString() throws(Failure) {
        let open = i
        i += 1
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return
            }
            if b == UInt8(ascii: "\\") {
                i = open
                _ = try string()
                return
            }
            if b < 0x20 { throw fail("control character in a string") }
            i += 1
        }
        throw fail("unexpected end of input in a string")
    }
}
