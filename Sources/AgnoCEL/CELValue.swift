// AgnoCEL: a CEL (github.com/google/cel-spec) evaluator for agnod's workflow expressions.
// Covered: the standard definitions over null, bool, int, uint, double, string, bytes, list, map and type values,
// the macros (has, all, exists, exists_one, map, filter, and the two-variable forms), and the strings extension.
// Out of scope: timestamps, durations, protobuf messages and wrappers, enums, optionals, containers/namespaces.

/// A CEL value. `Equatable` is structural (a Swift convenience, e.g. for tests): `.int(1) != .double(1)`,
/// and a NaN equals a NaN. CEL's own `==` (heterogeneous numbers, NaN != NaN) is `CELValue.celEquals`.
public indirect enum CELValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([CELValue])
    /// An ordered map with keys int/uint/bool/string.
    case map(CELMap)
    /// The result of `type(x)`, e.g. `.type("int")`.
    case type(String)

    /// A map with string keys, in the given order (for bindings). A repeated key keeps the last value.
    public static func stringMap(_ entries: [(String, CELValue)]) -> CELValue {
        var map = CELMap()
        for (key, value) in entries { map.set(.string(key), value) }
        return .map(map)
    }

    /// The CEL type name: int, uint, double, bool, string, bytes, list, map, null_type, type.
    public var typeName: String {
        switch self {
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .list: "list"
        case .map: "map"
        case .type: "type"
        }
    }

    public static func == (lhs: CELValue, rhs: CELValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.uint(let a), .uint(let b)): a == b
        case (.double(let a), .double(let b)): a == b || (a.isNaN && b.isNaN)
        case (.string(let a), .string(let b)): a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.bytes(let a), .bytes(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        case (.map(let a), .map(let b)): a == b
        case (.type(let a), .type(let b)): a == b
        default: false
        }
    }

    /// A short CEL-literal-like rendering, for messages: `"hello"`, `[1, 2]`, `{"a": 1}`, `3u`, `b"\x00"`.
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return CELValue.formatDouble(d, literal: true)
        case .string(let s): return CELValue.quote(s)
        case .bytes(let b):
            var out = "b\""
            for byte in b {
                if byte >= 0x20 && byte < 0x7f && byte != 0x22 && byte != 0x5c {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
                }
            }
            return out + "\""
        case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .map(let map): return "{" + map.entries.map { "\($0.key.description): \($0.value.description)" }.joined(separator: ", ") + "}"
        case .type(let name): return name
        }
    }

    /// `s` as a double-quoted CEL string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A double as Go's `strconv.FormatFloat(d, 'g', -1, 64)` (what cel-go's `string(double)` gives): the shortest
    /// digits that round-trip, exponent form when the exponent is < -4 or >= 21. `literal` adds ".0" to integral values.
    static func formatDouble(_ d: Double, literal: Bool = false) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return (d.sign == .minus ? "-0" : "0") + (literal ? ".0" : "") }
        // Swift's description is the shortest round-trip form; take its digits and decimal exponent.
        var text = "\(abs(d))"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var digits = intPart + fracPart
        var point = intPart.count + exponent  // the decimal point sits after `point` digits
        let leadingZeros = digits.prefix(while: { $0 == "0" }).count
        digits.removeFirst(leadingZeros)
        point -= leadingZeros
        while digits.hasSuffix("0") { digits.removeLast() }
        if digits.isEmpty { digits = "0" }
        let exp = point - 1
        var out = d < 0 ? "-" : ""
        if exp < -4 || exp >= 21 {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            out += exp < 0 ? "e-" : "e+"
            let magnitude = abs(exp)
            out += (magnitude < 10 ? "0" : "") + String(magnitude)
        } else if point <= 0 {
            out += "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            out += digits + String(repeating: "0", count: point - digits.count) + (literal ? ".0" : "")
        } else {
            let split = digits.index(digits.startIndex, offsetBy: point)
            out += digits[..<split] + "." + digits[split...]
        }
        return out
    }
}
