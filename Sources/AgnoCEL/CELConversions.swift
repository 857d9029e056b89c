import Foundation

/// Type conversions (cel-spec "Type Conversions"); out-of-range numeric conversions fail with "range error".
enum CELConversions {
    static let rangeError = CELError(message: "range error")

    static func toInt(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .int: return value
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw rangeError }
            return .int(Int64(u))
        case .double(let d):
            // Both ends are excluded: -2^63 itself does not convert in cel-go either.
            guard d > -9.223372036854775808e18 && d < 9.223372036854775808e18 else { throw rangeError }
            return .int(Int64(d))
        case .string(let s):
            guard let i = Int64(s) else { throw CELError(message: "cannot convert \(value) to int") }
            return .int(i)
        default: throw CELError.noOverload("int", [value])
        }
    }

    static func toUInt(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .uint: return value
        case .int(let i):
            guard i >= 0 else { throw rangeError }
            return .uint(UInt64(i))
        case .double(let d):
            guard d > -1 && d < 1.8446744073709551616e19 else { throw rangeError }
            return .uint(UInt64(d))
        case .string(let s):
            guard let u = UInt64(s) else { throw CELError(message: "cannot convert \(value) to uint") }
            return .uint(u)
        default: throw CELError.noOverload("uint", [value])
        }
    }

    static func toDouble(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .double: return value
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard !s.isEmpty, !s.hasPrefix(" "), let d = Double(s) else { throw CELError(message: "cannot convert \(value) to double") }
            return .double(d)
        default: throw CELError.noOverload("double", [value])
        }
    }

    static func toString(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .string: return value
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(CELValue.formatDouble(d))
        case .bool(let b): return .string(b ? "true" : "false")
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else { throw CELError(message: "invalid UTF-8 in bytes") }
            return .string(s)
        case .type(let name): return .string(name)
        default: throw CELError.noOverload("string", [value])
        }
    }

    static func toBool(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .bool: return value
        case .string(let s):
            // Go's strconv.ParseBool, as cel-go.
            switch s {
            case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
            default: throw CELError(message: "cannot convert \(value) to bool")
            }
        default: throw CELError.noOverload("bool", [value])
        }
    }

    static func toBytes(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .bytes: return value
        case .string(let s): return .bytes(Array(s.utf8))
        default: throw CELError.noOverload("bytes", [value])
        }
    }
}
