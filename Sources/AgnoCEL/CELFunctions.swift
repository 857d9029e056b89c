/// The standard functions in scope (cel-spec langdef.md "List of Standard Definitions"): size, contains,
/// startsWith, endsWith, matches, the type conversions int/uint/double/string/bool/bytes/type/dyn, and indexing.
enum CELFunctions {
    static func call(_ fn: CELBuiltin, receiver: CELValue?, args: [CELValue]) throws(CELError) -> CELValue {
        let all = receiver.map { [$0] + args } ?? args
        switch (fn, all.count) {
        case (.size, 1): return try size(all[0])
        case (.contains, 2), (.startsWith, 2), (.endsWith, 2):
            guard case .string(let s) = all[0], case .string(let t) = all[1] else { break }
            switch fn {
            // On UTF-8 bytes, which matches code point semantics (UTF-8 is self-synchronising).
            case .contains: return .bool(utf8Contains(s, t))
            case .startsWith: return .bool(s.utf8.starts(with: t.utf8))
            default: return .bool(s.utf8.count >= t.utf8.count && s.utf8.suffix(t.utf8.count).elementsEqual(t.utf8))
            }
        case (.matches, 2):
            guard case .string(let s) = all[0], case .string(let pattern) = all[1] else { break }
            return .bool(try CELRegex.matches(s, pattern))
        case (.int, 1): return try CELConversions.toInt(all[0])
        case (.uint, 1): return try CELConversions.toUInt(all[0])
        case (.double, 1): return try CELConversions.toDouble(all[0])
        case (.string, 1): return try CELConversions.toString(all[0])
        case (.bool, 1): return try CELConversions.toBool(all[0])
        case (.bytes, 1): return try CELConversions.toBytes(all[0])
        case (.type, 1): return .type(all[0].typeName)
        case (.dyn, 1): return all[0]
        default:
            if let result = try CELStringFunctions.call(fn, all) { return result }
        }
        throw CELError.noOverload(fn.rawValue, all)
    }

    static func utf8Contains(_ s: String, _ t: String) -> Bool {
        if t.isEmpty { return true }
        var s = s
        var t = t
        return s.withUTF8 { hay in
            t.withUTF8 { needle in
                guard needle.count <= hay.count else { return false }
                let first = needle[0]
                var i = 0
                let last = hay.count - needle.count
                while i <= last {
                    if hay[i] == first {
                        var j = 1
                        while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                        if j == needle.count { return true }
                    }
                    i += 1
                }
                return false
            }
        }
    }

    static func size(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .bytes(let b): return .int(Int64(b.count))
        case .list(let items): return .int(Int64(items.count))
        case .map(let map): return .int(Int64(map.count))
        default: throw CELError.noOverload("size", [value])
        }
    }

    /// `container[index]`: lists by int, uint or integral double; maps by key.
    static func index(_ container: CELValue, _ index: CELValue) throws(CELError) -> CELValue {
        switch container {
        case .list(let items):
            let position: Int64
            switch index {
            case .int(let i): position = i
            case .uint(let u): position = u > UInt64(Int64.max) ? Int64.max : Int64(u)
            case .double(let d) where d == d.rounded(.towardZero) && abs(d) < 9.2e18: position = Int64(d)
            case .double: throw CELError(message: "unsupported index value: \(index)")
            default: throw CELError.noOverload("_[_]", [container, index])
            }
            guard position >= 0 && position < items.count else {
                throw CELError(message: "index out of range: \(position) (list size \(items.count))")
            }
            return items[Int(position)]
        case .map(let map):
            guard CELMap.isKeyType(index) || { if case .double = index { return true } else { return false } }() else {
                throw CELError(message: "unsupported key type '\(index.typeName)'")
            }
            guard let value = map[index] else { throw CELError(message: "no such key: \(index)") }
            return value
        default:
            throw CELError.noOverload("_[_]", [container, index])
        }
    }
}
