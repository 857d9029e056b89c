/// Why the PostgreSQL store could not be opened or used. Names the server, never the password.
public struct PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// `postgres://USER@HOST:PORT/DATABASE`.
    public let location: String
    public let reason: String
    /// The server could not be reached (rather than answering with an error).
    public let unreachable: Bool

    public init(location: String, reason: String, unreachable: Bool = false) {
        self.location = location
        self.reason = reason
        self.unreachable = unreachable
    }

    public var description: String { "run store \(location): \(reason)" }
}
