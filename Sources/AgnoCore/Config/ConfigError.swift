/// A configuration or workflow file that cannot be used: which file, which line, and what is wrong.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(file):\(line): \(reason)" }
        return "\(file): \(reason)"
    }
}

extension ConfigError {
    /// "unknown key 'on_eror' in step 'x' (did you mean 'on_error'?)", on the key's line: a typo must never be ignored.
    public static func unknownKey(_ key: String, _ node: YAMLValue, in what: String, known: [String]) -> ConfigError {
        let near = known.min { editDistance($0, key) < editDistance($1, key) }
        let hint =
            near.flatMap { editDistance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? " (known: \(known.joined(separator: ", ")))"
        return node.error("unknown key '\(key)' in \(what)\(hint)")
    }

    /// Levenshtein distance, for suggestions.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let old = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = old
            }
        }
        return row[b.count]
    }
}
