/// One field a paused step asks the user for (`user_input_schema`): its name, JSON type and whether it is
/// required. `continue` checks the answer against the fields before anything changes.
public struct InputField: Sendable, Equatable {
    public enum FieldType: String, Sendable, CaseIterable {
        case string, integer, number, boolean
    }

    public var name: String
    public var type: FieldType
    public var required: Bool
    public var description: String?
    /// The values a string field may take, when only some may.
    public var choices: [String]?

    public init(name: String, type: FieldType = .string, required: Bool = false, description: String? = nil, choices: [String]? = nil) {
        self.choices = choices
        self.name = name
        self.type = type
        self.required = required
        self.description = description
    }

    public var json: JSONValue {
        .compactObject([
            ("name", .string(name)), ("type", .string(type.rawValue)), ("required", .bool(required)),
            ("description", description.map(JSONValue.string)), ("choices", choices.map { .array($0.map(JSONValue.string)) }),
        ])
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue else { return nil }
        self.init(
            name: name, type: json["type"]?.stringValue.flatMap(FieldType.init(rawValue:)) ?? .string,
            required: json["required"]?.boolValue ?? false, description: json["description"]?.stringValue,
            choices: json["choices"]?.arrayValue?.compactMap(\.stringValue))
    }

    /// Whether `value` has this field's type (an integer is also a number).
    public func accepts(_ value: JSONValue) -> Bool {
        switch (type, value) {
        case (.string, .string), (.boolean, .bool), (.integer, .int), (.number, .int), (.number, .double): return true
        case (.integer, .double(let d)): return d == d.rounded() && abs(d) < 9.0e15
        default: return false
        }
    }

    /// Checks a `continue` request's `input` against `fields`: every required field present, each of its
    /// type, no field that was not asked for. The error names the field (`input.tone`).
    public static func validate(_ input: JSONValue?, against fields: [InputField]) throws(ProtocolError) {
        let pairs = input?.objectValue ?? []
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for (key, value) in pairs {
            guard let field = byName[key] else {
                let asked = fields.isEmpty ? "it asks for no input" : "it asks for \(fields.map(\.name).joined(separator: ", "))"
                throw .badRequest("parameter 'input.\(key)' is not a field of this step's input (\(asked))")
            }
            if case .null = value, !field.required { continue }
            guard field.accepts(value) else {
                throw .badRequest(
                    "parameter 'input.\(key)' must be \(field.type.article) \(field.type.rawValue), not \(value.typeDescription)")
            }
            if let choices = field.choices, let s = value.stringValue, !choices.contains(s) {
                throw .badRequest("parameter 'input.\(key)' must be one of \(choices.joined(separator: ", ")), not \"\(s)\"")
            }
        }
        for field in fields where field.required && !pairs.contains(where: { $0.0 == field.name }) {
            throw .badRequest(
                "parameter 'input.\(field.name)' is required (\(field.type.rawValue)\(field.description.map { ": \($0)" } ?? ""))")
        }
    }
}

extension InputField.FieldType {
    var article: String { self == .integer ? "an" : "a" }
}

extension JSONValue {
    /// The JSON type's name, for messages.
    public var typeDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int: return "an integer"
        case .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
