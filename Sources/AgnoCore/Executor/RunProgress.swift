import AgnoCEL
import AgnoProtocol
import Synchronization

/// What the nodes of one run share as it advances: the output of every node that completed, by name (the
/// `previous_step_outputs` of CEL and the `{{steps.NAME.content}}` of templates), and the run's data.
final class RunProgress: Sendable {
    let input: String
    let additionalData: JSONValue
    let sessionState: JSONValue
    /// `additional_data` for templates: strings as they are, other values as JSON.
    let additionalText: [String: String]
    private let outputs = Mutex<[(name: String, content: String)]>([])

    init(input: String, additionalData: JSONValue, sessionState: JSONValue) {
        self.input = input
        self.additionalData = additionalData
        self.sessionState = sessionState
        var text: [String: String] = [:]
        for (key, value) in additionalData.objectValue ?? [] { text[key] = value.stringValue ?? value.encodedString }
        additionalText = text
    }

    /// The output of the node that completed last (what a run that fails or is cancelled shows as its content).
    var lastContent: String? { outputs.withLock { $0.last?.content } }

    func completed(_ name: String, _ content: String) {
        outputs.withLock { o in
            o.removeAll { $0.name == name }
            o.append((name, content))
        }
    }

    var outputsByName: [String: String] {
        outputs.withLock { Dictionary($0.map { ($0.name, $0.content) }, uniquingKeysWith: { _, b in b }) }
    }

    /// The variables of a Condition's evaluator or a Router's selector, for a node whose input is `previous`.
    func conditionBindings(previous: String) -> [String: CELValue] {
        [
            "input": .string(input), "previous_step_content": .string(previous),
            "previous_step_outputs": .stringMap(outputs.withLock { $0.map { ($0.name, CELValue.string($0.content)) } }),
            "additional_data": CELValue(json: additionalData), "session_state": CELValue(json: sessionState),
        ]
    }
}

extension CELValue {
    /// A JSON value as CEL sees it: integers as int, other numbers as double, objects as maps.
    init(json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(Int64(i))
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(CELValue.init(json:)))
        case .object(let entries): self = .stringMap(entries.map { ($0.0, CELValue(json: $0.1)) })
        }
    }

    /// The CEL type name of the value, for messages.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .uint: return "uint"
        case .double: return "double"
        case .string: return "string"
        case .bytes: return "bytes"
        case .list: return "list"
        case .map: return "map"
        case .type: return "type"
        }
    }
}
