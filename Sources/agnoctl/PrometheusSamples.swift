/// The samples of agnod's metrics text (Prometheus text format 0.0.4), as far as `top` needs them: name,
/// labels and value of each sample line; comments and lines it cannot read are skipped.
struct PrometheusSamples {
    struct Sample {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var samples: [Sample] = []

    init(text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            if let sample = Self.sample(line) { samples.append(sample) }
        }
    }

    /// The sum of the samples with this name (and these labels).
    func sum(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples.filter { s in s.name == name && labels.allSatisfy { s.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }

    /// `name{a="x",b="y"} 1.5` or `name 1.5`.
    static func sample(_ line: Substring) -> Sample? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let head = line[..<space]
        guard let brace = head.firstIndex(of: "{") else { return Sample(name: String(head), labels: [:], value: value) }
        var labels: [String: String] = [:]
        var rest = head[head.index(after: brace)...].dropLast()  // without the closing brace
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: [","])
            var cursor = rest.index(after: equals)
            guard cursor < rest.endIndex, rest[cursor] == "\"" else { return nil }
            cursor = rest.index(after: cursor)
            var value = ""
            while cursor < rest.endIndex, rest[cursor] != "\"" {
                if rest[cursor] == "\\", rest.index(after: cursor) < rest.endIndex {
                    cursor = rest.index(after: cursor)
                    value.append(rest[cursor] == "n" ? "\n" : rest[cursor])
                } else {
                    value.append(rest[cursor])
                }
                cursor = rest.index(after: cursor)
            }
            labels[key] = value
            rest = cursor < rest.endIndex ? rest[rest.index(after: cursor)...] : ""
        }
        return Sample(name: String(head[..<brace]), labels: labels, value: value)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop { set.contains($0) })
    }
}
