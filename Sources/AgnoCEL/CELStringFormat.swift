import Foundation

/// `string.format(list)` and `strings.quote(string)` of the strings extension (cel-go `ext.Strings`).
/// Clauses: %s %d %f %e %b %o %x %X with an optional precision (`%.3f`), and %% for a percent sign.
enum CELStringFormat {
    static func format(_ template: String, _ args: [CELValue]) throws(CELError) -> String {
        var out = ""
        var scalars = template.unicodeScalars.makeIterator()
        var argument = 0
        while let c = scalars.next() {
            guard c == "%" else {
                out.unicodeScalars.append(c)
                continue
            }
            var verb = scalars.next()
            if verb == "%" {
                out += "%"
                continue
            }
            var precision: Int?
            if verb == "." {
                var digits = ""
                verb = scalars.next()
                while let d = verb, d.properties.numericType != nil, d.isASCII {
                    digits.unicodeScalars.append(d)
                    verb = scalars.next()
                }
                precision = Int(digits) ?? 0
            }
            guard let verb, "sdfeboxX".unicodeScalars.contains(verb) else {
                let shown = verb.map { String($0) } ?? ""
                throw CELError(message: "could not parse formatting clause: unrecognized formatting clause \"\(shown)\"")
            }
            guard argument < args.count else { throw CELError(message: "index \(argument) out of range") }
            out += try clause(verb, precision, args[argument])
            argument += 1
        }
        return out
    }

    private static func failure(_ what: String, _ value: CELValue) -> CELError {
        CELError(message: "error during formatting: \(what), was given \(value.typeName)")
    }

    private static func special(_ d: Double) -> String? {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return nil
    }

    private static func clause(_ verb: Unicode.Scalar, _ precision: Int?, _ value: CELValue) throws(CELError) -> String {
        switch verb {
        case "s":
            return try string(value)
        case "d":
            switch value {
            case .int(let i): return String(i)
            case .uint(let u): return String(u)
            case .double(let d) where special(d) != nil: return special(d)!
            default: throw failure("decimal clause can only be used on integers", value)
            }
        case "f", "e":
            let d: Double
            switch value {
            case .int(let i): d = Double(i)
            case .uint(let u): d = Double(u)
            case .double(let x): d = x
            default:
                throw failure(
                    verb == "f" ? "fixed-point clause can only be used on doubles" : "scientific clause can only be used on doubles", value)
            }
            if let s = special(d) { return s }
            return String(format: verb == "f" ? "%.*f" : "%.*e", precision ?? 6, d)
        case "b":
            switch value {
            case .int(let i): return String(i, radix: 2)
            case .uint(let u): return String(u, radix: 2)
            case .bool(let b): return b ? "1" : "0"
            default: throw failure("only integers and bools can be formatted as binary", value)
            }
        case "o":
            switch value {
            case .int(let i): return String(i, radix: 8)
            case .uint(let u): return String(u, radix: 8)
            default: throw failure("octal clause can only be used on integers", value)
            }
        default:  // x, X
            let upper = verb == "X"
            let hex: String
            switch value {
            case .int(let i): hex = String(i, radix: 16)
            case .uint(let u): hex = String(u, radix: 16)
            case .string(let s): hex = s.utf8.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            case .bytes(let b): hex = b.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            default: throw failure("only integers, byte buffers, and strings can be formatted as hex", value)
            }
            return upper ? hex.uppercased() : hex
        }
    }

    /// The %s rendering: strings unquoted, lists and maps (keys sorted) with their elements rendered the same way.
    static func string(_ value: CELValue) throws(CELError) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return special(d) ?? CELValue.formatDouble(d)
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .type(let name): return name
        case .list(let items):
            var parts: [String] = []
            for item in items { parts.append(try string(item)) }
            return "[" + parts.joined(separator: ", ") + "]"
        case .map(let map):
            var parts: [(String, String)] = []
            for (key, item) in map.entries { parts.append((try string(key), try string(item))) }
            return "{" + parts.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        }
    }

    /// `strings.quote(s)`: a double-quoted literal with \a \b \f \n \r \t \v \\ \" escaped, other characters verbatim.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
