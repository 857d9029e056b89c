/// A CEL compile or evaluation error.
public struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. "undeclared reference to 'foo'", "no such key: 'x'", "division by zero".
    public var message: String
    /// 0-based offset (in characters, i.e. Unicode scalars) in the source where the problem is; nil when unknown.
    public var offset: Int?

    public init(message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    /// The message, with " at column N" (1-based) when the offset is known.
    public var description: String {
        guard let offset else { return message }
        return "\(message) at column \(offset + 1)"
    }

    /// This error, with `offset` filled in when it had none.
    func located(_ offset: Int) -> CELError {
        self.offset == nil ? CELError(message: message, offset: offset) : self
    }

    static func noOverload(_ function: String, _ args: [CELValue]) -> CELError {
        CELError(message: "no matching overload for '\(function)' applied to (\(args.map(\.typeName).joined(separator: ", ")))")
    }

    static let overflow = CELError(message: "return error for overflow")
    static let divisionByZero = CELError(message: "division by zero")
    static let modulusByZero = CELError(message: "modulus by zero")
}
