/// A model call that failed, with a message that says what failed and where (never an API key).
public struct ModelError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case unreachable
        case http(status: Int)
        case brokenStream
        case timeout
        case notConfigured
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// The kind as a metric label: `unreachable`, `http_429`, `broken_stream`, `timeout`, `not_configured`.
    public var label: String {
        switch kind {
        case .unreachable: "unreachable"
        case .http(let status): "http_\(status)"
        case .brokenStream: "broken_stream"
        case .timeout: "timeout"
        case .notConfigured: "not_configured"
        }
    }
}
