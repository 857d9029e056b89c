import Foundation
import Yams

/// A YAML (or JSON) file read as a node tree, with typed accessors whose errors carry the file and line.
public struct YAMLDocument: Sendable {
    public let file: String
    public let root: YAMLValue
    /// A digest of the text (FNV-1a, 64 bits, hex): tells whether a file changed, not a security hash.
    public let digest: String

    /// Parses `text`; a syntax error becomes a `ConfigError` with the line of the problem.
    public init(text: String, file: String) throws(ConfigError) {
        self.file = file
        self.digest = YAMLDocument.digest(of: text)
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: nil, reason: "the file is empty")
            }
            root = YAMLValue(node: node, file: file)
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw YAMLDocument.describe(error, file: file)
        } catch {
            throw ConfigError(file: file, line: nil, reason: "cannot parse: \(error)")
        }
    }

    public init(contentsOf path: String) throws(ConfigError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError(file: path, line: nil, reason: "cannot read the file: \((error as NSError).localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, reason: "the file is not valid UTF-8")
        }
        try self.init(text: text, file: path)
    }

    private static func describe(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let extra = context.map { " (\($0.text))" } ?? ""
            return ConfigError(file: file, line: mark.line, reason: "invalid YAML: \(problem)\(extra)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(file: file, line: context.mark.line, reason: "duplicate keys: \(duplicates.joined(separator: ", "))")
        default:
            return ConfigError(file: file, line: nil, reason: "invalid YAML: \(error)")
        }
    }
}

/// One node of a YAML document, with the accessors that configuration loading needs.
public struct YAMLValue: @unchecked Sendable {
    let node: Node
    public let file: String

    init(node: Node, file: String) {
        self.node = node
        self.file = file
    }

    public var line: Int? { node.mark?.line }

    public func error(_ reason: String) -> ConfigError { ConfigError(file: file, line: line, reason: reason) }

    public var isNull: Bool {
        if case .scalar(let s) = node { return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string) }
        return false
    }

    /// The entries of a mapping in file order; `what` names it in errors.
    public func mapping(_ what: String) throws(ConfigError) -> [(key: String, value: YAMLValue)] {
        guard case .mapping(let m) = node else { throw error("\(what) must be a mapping of key: value") }
        var out: [(String, YAMLValue)] = []
        for (k, v) in m {
            guard let key = k.string else { throw YAMLValue(node: k, file: file).error("\(what) has a key that is not a string") }
            out.append((key, YAMLValue(node: v, file: file)))
        }
        return out
    }

    /// A mapping's entries with each key's own node, so that a refused key can be reported on its line.
    public func keyedMapping(_ what: String) throws(ConfigError) -> [(key: String, keyNode: YAMLValue, value: YAMLValue)] {
        guard case .mapping(let m) = node else { throw error("\(what) must be a mapping of key: value") }
        var out: [(String, YAMLValue, YAMLValue)] = []
        for (k, v) in m {
            let keyNode = YAMLValue(node: k, file: file)
            guard let key = k.string else { throw keyNode.error("\(what) has a key that is not a string") }
            out.append((key, keyNode, YAMLValue(node: v, file: file)))
        }
        return out
    }

    /// Whether this is a plain (unquoted) scalar: `true` written plainly is a boolean, `"true"` a string.
    public var isPlainScalar: Bool {
        if case .scalar(let s) = node { return s.style == .plain }
        return false
    }

    public func sequence(_ what: String) throws(ConfigError) -> [YAMLValue] {
        guard case .sequence(let s) = node else { throw error("\(what) must be a list") }
        return s.map { YAMLValue(node: $0, file: file) }
    }

    public func string(_ what: String) throws(ConfigError) -> String {
        guard case .scalar(let s) = node, !isNull else { throw error("\(what) must be a string") }
        return s.string
    }

    public func int(_ what: String) throws(ConfigError) -> Int {
        guard case .scalar = node, let i = node.int else { throw error("\(what) must be an integer") }
        return i
    }

    public func double(_ what: String) throws(ConfigError) -> Double {
        guard case .scalar = node, let d = node.float ?? node.int.map(Double.init) else { throw error("\(what) must be a number") }
        return d
    }

    public func bool(_ what: String) throws(ConfigError) -> Bool {
        guard case .scalar = node, let b = node.bool else { throw error("\(what) must be true or false") }
        return b
    }

    /// A string or a list of strings (e.g. a command line).
    public func stringList(_ what: String) throws(ConfigError) -> [String] {
        if case .scalar = node { return [try string(what)] }
        return try sequence(what).map { v throws(ConfigError) in try v.string("an item of \(what)") }
    }
}

extension YAMLDocument {
    public static func digest(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

extension YAMLValue {
    /// A duration: seconds as a number, or a number with a unit: `250ms`, `90s`, `15m`, `12h`, `30d`.
    public func duration(_ what: String) throws(ConfigError) -> TimeInterval {
        if case .scalar = node, let seconds = node.float ?? node.int.map(Double.init) {
            guard seconds >= 0 else { throw error("\(what) must not be negative") }
            return seconds
        }
        let text = try string(what).trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("ms"), let n = Double(text.dropLast(2)), n >= 0 { return n / 1000 }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()), n >= 0 else {
            throw error("\(what) must be a duration such as 250ms, 90s, 15m, 12h or 30d (or seconds as a number), not '\(text)'")
        }
        return n * factor
    }
}
