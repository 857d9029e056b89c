/// Part of the strings extension (cel-go `ext.Strings`, cel-spec tests/simple/testdata/string_ext.textproto).
/// Positions count code points. `format` and `strings.quote` are in CELStringFormat.
enum CELStringFunctions {
    typealias Scalars = [Unicode.Scalar]

    /// The result, or nil when no overload of `fn` takes these arguments (the receiver comes first).
    static func call(_ fn: CELBuiltin, _ args: [CELValue]) throws(CELError) -> CELValue? {
        if fn == .join, case .list(let items) = args.first {
            var strings: [String] = []
            for item in items {
                guard case .string(let s) = item else { return nil }
                strings.append(s)
            }
            switch args.count {
            case 1: return .string(strings.joined())
            case 2:
                guard case .string(let separator) = args[1] else { return nil }
                return .string(strings.joined(separator: separator))
            default: return nil
            }
        }
        guard case .string(let string) = args.first else { return nil }
        if fn == .format {
            guard args.count == 2, case .list(let items) = args[1] else { return nil }
            return .string(try CELStringFormat.format(string, items))
        }
        if fn == .quote { return args.count == 1 ? .string(CELStringFormat.quote(string)) : nil }
        let s = Array(string.unicodeScalars)
        var strings: [Scalars] = []
        var ints: [Int64] = []
        for arg in args.dropFirst() {
            switch arg {
            case .string(let t): strings.append(Array(t.unicodeScalars))
            case .int(let i): ints.append(i)
            default: return nil
            }
        }
        switch (fn, strings.count, ints.count) {
        case (.charAt, 0, 1):
            let i = try position(ints[0], in: s)
            return .string(i == s.count ? "" : text(s[i...i]))
        case (.indexOf, 1, _) where ints.count <= 1:
            let start = try position(ints.first ?? 0, in: s)
            return .int(Int64(find(strings[0], in: s, from: start, backwards: false)))
        case (.lastIndexOf, 1, _) where ints.count <= 1:
            let start = ints.isEmpty ? s.count : try position(ints[0], in: s)
            return .int(Int64(find(strings[0], in: s, from: start, backwards: true)))
        case (.lowerAscii, 0, 0):
            return .string(text(s.map { $0 >= "A" && $0 <= "Z" ? Unicode.Scalar($0.value + 32)! : $0 }))
        case (.upperAscii, 0, 0):
            return .string(text(s.map { $0 >= "a" && $0 <= "z" ? Unicode.Scalar($0.value - 32)! : $0 }))
        case (.replace, 2, _) where ints.count <= 1:
            return .string(text(replace(s, strings[0], strings[1], limit: ints.first ?? -1)))
        case (.split, 1, _) where ints.count <= 1:
            return .list(split(s, strings[0], limit: ints.first ?? -1).map { .string(text($0)) })
        case (.substring, 0, 1), (.substring, 0, 2):
            let start = try position(ints[0], in: s)
            let end = ints.count == 2 ? try position(ints[1], in: s) : s.count
            guard start <= end else { throw CELError(message: "invalid substring range. start: \(start), end: \(end)") }
            return .string(text(s[start..<end]))
        case (.trim, 0, 0):
            let isSpace: (Unicode.Scalar) -> Bool = { $0.properties.isWhitespace }
            guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else {
                return .string("")
            }
            return .string(text(s[first...last]))
        case (.reverse, 0, 0):
            return .string(text(s.reversed()))
        default:
            return nil
        }
    }

    private static func text<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    /// `i` as an index in 0...count, else "index out of range".
    private static func position(_ i: Int64, in s: Scalars) throws(CELError) -> Int {
        guard i >= 0 && i <= Int64(s.count) else { throw CELError(message: "index out of range: \(i)") }
        return Int(i)
    }

    /// The first occurrence at or after `from`, or (backwards) the last one starting at or before `from`; -1 if none.
    private static func find(_ needle: Scalars, in s: Scalars, from: Int, backwards: Bool) -> Int {
        if needle.isEmpty { return from }
        guard needle.count <= s.count else { return -1 }
        let candidates =
            backwards
            ? Array(stride(from: min(from, s.count - needle.count), through: 0, by: -1))
            : Array(stride(from: from, through: s.count - needle.count, by: 1))
        for i in candidates where s[i..<(i + needle.count)].elementsEqual(needle) { return i }
        return -1
    }

    /// Go's strings.Replace: at most `limit` replacements (all when negative); an empty `old` matches between code points.
    private static func replace(_ s: Scalars, _ old: Scalars, _ new: Scalars, limit: Int64) -> Scalars {
        var out: Scalars = []
        var i = 0
        var done: Int64 = 0
        while i <= s.count {
            let canReplace = limit < 0 || done < limit
            if canReplace, old.isEmpty || (i + old.count <= s.count && s[i..<(i + old.count)].elementsEqual(old)) {
                out += new
                done += 1
                if old.isEmpty {
                    if i < s.count { out.append(s[i]) }
                    i += 1
                } else {
                    i += old.count
                }
            } else {
                if i < s.count { out.append(s[i]) }
                i += 1
            }
        }
        return out
    }

    /// Go's strings.SplitN: `limit` 0 gives no parts, negative all; an empty separator splits into code points.
    private static func split(_ s: Scalars, _ separator: Scalars, limit: Int64) -> [Scalars] {
        if limit == 0 { return [] }
        var parts: [Scalars] = []
        if separator.isEmpty {
            for (n, c) in s.enumerated() {
                if limit > 0 && Int64(parts.count) == limit - 1 {
                    parts.append(Array(s[n...]))
                    return parts
                }
                parts.append([c])
            }
            return parts
        }
        var current: Scalars = []
        var i = 0
        while i < s.count {
            if limit < 0 || Int64(parts.count) < limit - 1, i + separator.count <= s.count,
                s[i..<(i + separator.count)].elementsEqual(separator)
            {
                parts.append(current)
                current = []
                i += separator.count
            } else {
                current.append(s[i])
                i += 1
            }
        }
        parts.append(current)
        return parts
    }
}
