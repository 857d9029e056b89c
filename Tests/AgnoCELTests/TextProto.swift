import Foundation

/// A minimal protobuf text-format reader: just what cel-spec's tests/simple/testdata files use
/// (`name: value`, `name { ... }`, `name: { ... }`, `[type.url] { ... }`, quoted strings with C escapes,
/// adjacent-string concatenation, numbers, enum identifiers, `#` comments, `,`/`;` separators).
indirect enum TextProtoValue {
    case scalar(String)  // a number or identifier as written
    case string([UInt8])  // a quoted string's bytes
    case message(TextProtoMessage)
}

struct TextProtoField {
    var name: String
    var value: TextProtoValue
}

struct TextProtoMessage {
    typealias Value = TextProtoValue

    var fields: [TextProtoField] = []

    func all(_ name: String) -> [Value] { fields.filter { $0.name == name }.map(\.value) }
    func message(_ name: String) -> TextProtoMessage? {
        for case .message(let m) in all(name) { return m }
        return nil
    }
    func messages(_ name: String) -> [TextProtoMessage] { all(name).compactMap { if case .message(let m) = $0 { m } else { nil } } }
    func has(_ name: String) -> Bool { fields.contains { $0.name == name } }
    func string(_ name: String) -> String? {
        for value in all(name) {
            switch value {
            case .string(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .scalar(let s): return s
            case .message: return nil
            }
        }
        return nil
    }
    func bytes(_ name: String) -> [UInt8]? {
        for case .string(let bytes) in all(name) { return bytes }
        return nil
    }
    /// Names of all fields, recursively (for feature predicates).
    var allFieldNames: Set<String> {
        var names = Set<String>()
        for field in fields {
            let (name, value) = (field.name, field.value)
            names.insert(name)
            if case .message(let m) = value { names.formUnion(m.allFieldNames) }
        }
        return names
    }

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(_ text: String) throws -> TextProtoMessage {
        var reader = Reader(bytes: Array(text.utf8))
        let message = try reader.parseFields(until: nil)
        return message
    }

    private struct Reader {
        let bytes: [UInt8]
        var pos = 0

        mutating func skipSpace() {
            while pos < bytes.count {
                let c = bytes[pos]
                if c == UInt8(ascii: "#") {
                    while pos < bytes.count && bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
                } else if c == 32 || c == 9 || c == 10 || c == 13 || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") {
                    pos += 1
                } else {
                    return
                }
            }
        }

        func error(_ what: String) -> ParseError {
            let line = bytes[..<min(pos, bytes.count)].filter { $0 == 10 }.count + 1
            return ParseError(description: "textproto line \(line): \(what)")
        }

        mutating func parseFields(until close: UInt8?) throws -> TextProtoMessage {
            var message = TextProtoMessage()
            while true {
                skipSpace()
                if pos >= bytes.count {
                    if close == nil { return message }
                    throw error("unexpected end of input")
                }
                if let close, bytes[pos] == close {
                    pos += 1
                    return message
                }
                let name = try parseName()
                skipSpace()
                var sawColon = false
                if pos < bytes.count && bytes[pos] == UInt8(ascii: ":") {
                    pos += 1
                    sawColon = true
                    skipSpace()
                }
                guard pos < bytes.count else { throw error("missing value for \(name)") }
                if bytes[pos] == UInt8(ascii: "{") || bytes[pos] == UInt8(ascii: "<") {
                    let end = bytes[pos] == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
                    pos += 1
                    message.fields.append(TextProtoField(name: name, value: .message(try parseFields(until: end))))
                } else if sawColon {
                    message.fields.append(TextProtoField(name: name, value: try parseScalar()))
                } else {
                    throw error("expected ':' or '{' after \(name)")
                }
            }
        }

        mutating func parseName() throws -> String {
            let start = pos
            if bytes[pos] == UInt8(ascii: "[") {
                while pos < bytes.count && bytes[pos] != UInt8(ascii: "]") { pos += 1 }
                pos += 1
            } else {
                while pos < bytes.count, isNameByte(bytes[pos]) { pos += 1 }
            }
            guard pos > start else { throw error("expected a field name") }
            return String(decoding: bytes[start..<pos], as: UTF8.self)
        }

        func isNameByte(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95 || c == 46 || c == 45 || c == 43
        }

        mutating func parseScalar() throws -> Value {
            if bytes[pos] == UInt8(ascii: "\"") || bytes[pos] == UInt8(ascii: "'") {
                var result: [UInt8] = []
                while pos < bytes.count && (bytes[pos] == UInt8(ascii: "\"") || bytes[pos] == UInt8(ascii: "'")) {
                    result += try parseQuoted()
                    skipSpace()
                }
                return .string(result)
            }
            let start = pos
            while pos < bytes.count, isNameByte(bytes[pos]) { pos += 1 }
            guard pos > start else { throw error("expected a value") }
            return .scalar(String(decoding: bytes[start..<pos], as: UTF8.self))
        }

        mutating func parseQuoted() throws -> [UInt8] {
            let quote = bytes[pos]
            pos += 1
            var out: [UInt8] = []
            while true {
                guard pos < bytes.count else { throw error("unterminated string") }
                let c = bytes[pos]
                pos += 1
                if c == quote { return out }
                guard c == UInt8(ascii: "\\") else {
                    out.append(c)
                    continue
                }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "a"): out.append(7)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "v"): out.append(11)
                case UInt8(ascii: "0")...UInt8(ascii: "7"):
                    var value = Int(e - 48)
                    var digits = 1
                    while digits < 3, pos < bytes.count, bytes[pos] >= 48, bytes[pos] <= 55 {
                        value = value * 8 + Int(bytes[pos] - 48)
                        pos += 1
                        digits += 1
                    }
                    out.append(UInt8(value & 0xff))
                case UInt8(ascii: "x"), UInt8(ascii: "X"):
                    var value = 0
                    var digits = 0
                    while digits < 2, pos < bytes.count, let d = Int(String(UnicodeScalar(bytes[pos])), radix: 16) {
                        value = value * 16 + d
                        pos += 1
                        digits += 1
                    }
                    out.append(UInt8(value))
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    let count = e == UInt8(ascii: "u") ? 4 : 8
                    let hex = String(decoding: bytes[pos..<(pos + count)], as: UTF8.self)
                    pos += count
                    guard let code = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(code) else { throw error("bad \\u escape") }
                    out += Array(String(scalar).utf8)
                default:
                    out.append(e)  // \\ \' \" \? and anything else: the character itself
                }
            }
        }
    }
}
