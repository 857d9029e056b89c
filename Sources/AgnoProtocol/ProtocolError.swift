/// An `error` reply's payload: a code, a message for people, and for `busy` when to retry.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var retryAfterMs: Int?

    public init(_ code: ErrorCode, _ message: String, retryAfterMs: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterMs = retryAfterMs
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public var json: JSONValue {
        .compactObject([
            ("code", .string(code.rawValue)),
            ("message", .string(message)),
            ("retry_after_ms", retryAfterMs.map(JSONValue.int)),
        ])
    }

    public init?(json: JSONValue) {
        guard let code = json["code"]?.stringValue else { return nil }
        self.code = ErrorCode(rawValue: code) ?? .internal
        self.message = json["message"]?.stringValue ?? ""
        self.retryAfterMs = json["retry_after_ms"]?.intValue
    }

    public static func badRequest(_ message: String) -> ProtocolError { .init(.badRequest, message) }
    public static func notFound(_ message: String) -> ProtocolError { .init(.notFound, message) }
}
