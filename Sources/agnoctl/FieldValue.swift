import AgnoProtocol
import Foundation

/// Turns what a person typed (`--set count=3`, or an answer at the prompt) into the JSON value a
/// requirement's field takes, so a mistyped value is refused before anything is sent.
enum FieldValue {
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The value of `text` for `field`: a number, integer or boolean parsed, a string as it is (one of its choices).
    static func parse(_ text: String, for field: InputField) throws(Refusal) -> JSONValue {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch field.type {
        case .string:
            if let choices = field.choices, !choices.contains(text) {
                throw Refusal(description: "field '\(field.name)' must be one of \(choices.joined(separator: ", ")), not '\(text)'")
            }
            return .string(text)
        case .integer:
            guard let value = Int(trimmed) else {
                throw Refusal(description: "field '\(field.name)' takes an integer, not '\(text)'")
            }
            return .int(value)
        case .number:
            if let value = Int(trimmed) { return .int(value) }
            guard let value = Double(trimmed), value.isFinite else {
                throw Refusal(description: "field '\(field.name)' takes a number, not '\(text)'")
            }
            return .double(value)
        case .boolean:
            switch trimmed.lowercased() {
            case "true", "yes", "y", "1": return .bool(true)
            case "false", "no", "n", "0": return .bool(false)
            default: throw Refusal(description: "field '\(field.name)' takes true or false, not '\(text)'")
            }
        }
    }

    /// The `input` object of `--set NAME=VALUE` assignments, typed by `schema` (strings for a name it does not
    /// have: agnod then says which fields it asks for).
    static func input(_ assignments: [String], schema: [InputField]) throws(Refusal) -> JSONValue? {
        guard !assignments.isEmpty else { return nil }
        var pairs: [(String, JSONValue)] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                throw Refusal(description: "--set takes NAME=VALUE, not '\(assignment)'")
            }
            let name = String(assignment[..<equals])
            let text = String(assignment[assignment.index(after: equals)...])
            var value = JSONValue.string(text)
            if let field = schema.first(where: { $0.name == name }) { value = try parse(text, for: field) }
            pairs.removeAll { $0.0 == name }
            pairs.append((name, value))
        }
        return .object(pairs)
    }
}
