/// Accumulates the contents of a string or bytes literal, decoding escapes (cel-spec "String and Bytes Values").
struct CELStringDecoder {
    let isBytes: Bool
    private(set) var string = ""
    private(set) var bytes: [UInt8] = []

    init(bytes: Bool) { isBytes = bytes }

    mutating func append(_ c: Unicode.Scalar) {
        if isBytes { bytes.append(contentsOf: Array(String(c).utf8)) } else { string.unicodeScalars.append(c) }
    }

    /// A code point (strings) or a byte value (bytes, from \x and octal escapes).
    private mutating func appendValue(_ value: UInt32, isByte: Bool) throws(CELError) {
        if isBytes && isByte {
            bytes.append(UInt8(value))
            return
        }
        guard let scalar = Unicode.Scalar(value) else { throw CELError(message: "invalid code point in escape sequence") }
        append(scalar)
    }

    /// Decodes the escape after a backslash; `pos` is at the character after the backslash and moves past the escape.
    mutating func escape(_ pos: inout Int, _ chars: [Unicode.Scalar]) throws(CELError) {
        guard pos < chars.count else { throw CELError(message: "unterminated escape sequence") }
        let c = chars[pos]
        pos += 1
        let simple: [Unicode.Scalar: Unicode.Scalar] = [
            "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r", "t": "\t", "v": "\u{0B}",
            "\\": "\\", "?": "?", "\"": "\"", "'": "'", "`": "`",
        ]
        if let s = simple[c] {
            append(s)
            return
        }
        func hex(_ count: Int) throws(CELError) -> UInt32 {
            guard pos + count <= chars.count else { throw CELError(message: "invalid escape sequence") }
            var value: UInt32 = 0
            for i in 0..<count {
                guard let digit = Int(String(chars[pos + i]), radix: 16) else { throw CELError(message: "invalid escape sequence") }
                value = value * 16 + UInt32(digit)
            }
            pos += count
            return value
        }
        switch c {
        case "x", "X": try appendValue(try hex(2), isByte: true)
        case "u":
            if isBytes { throw CELError(message: "\\u escape is not allowed in bytes literals") }
            try appendValue(try hex(4), isByte: false)
        case "U":
            if isBytes { throw CELError(message: "\\U escape is not allowed in bytes literals") }
            try appendValue(try hex(8), isByte: false)
        case "0"..."3":
            guard pos + 2 <= chars.count, ("0"..."7").contains(chars[pos]), ("0"..."7").contains(chars[pos + 1]) else {
                throw CELError(message: "invalid octal escape sequence")
            }
            let value = (c.value - 48) * 64 + (chars[pos].value - 48) * 8 + (chars[pos + 1].value - 48)
            pos += 2
            try appendValue(value, isByte: true)
        default:
            throw CELError(message: "invalid escape sequence '\\\(c)'")
        }
    }
}
