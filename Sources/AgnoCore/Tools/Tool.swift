import AgnoProtocol

/// A function the model may call. `call` runs in the run's task: it must stop promptly when the task is cancelled.
public protocol Tool: Sendable {
    /// The function name sent to the model (`^[a-zA-Z0-9_-]{1,64}$`).
    var name: String { get }
    var description: String { get }
    /// The JSON schema of the arguments object.
    var parameters: JSONValue { get }
    /// Runs the tool; a thrown error becomes an error result for the model.
    func call(_ arguments: JSONValue) async throws -> String
}

extension Tool {
    /// The OpenAI `tools` entry.
    public var spec: JSONValue {
        .object([
            ("type", "function"),
            ("function", .object([("name", .string(name)), ("description", .string(description)), ("parameters", parameters)])),
        ])
    }
}

/// A tool's failure, in words for the model and the events.
public struct ToolError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension JSONValue {
    /// A JSON schema for an object with the given number properties, all required.
    static func numberArguments(_ names: [(String, String)]) -> JSONValue {
        .object([
            ("type", "object"),
            ("properties", .object(names.map { ($0.0, .object([("type", "number"), ("description", .string($0.1))])) })),
            ("required", .array(names.map { .string($0.0) })),
        ])
    }

    /// A numeric argument, accepting numbers and numeric strings (small models send both).
    func number(_ name: String) throws(ToolError) -> Double {
        guard let v = self[name] else { throw ToolError("missing argument '\(name)'") }
        if let d = v.doubleValue { return d }
        if let s = v.stringValue, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return d }
        throw ToolError("argument '\(name)' must be a number")
    }
}
