/// Run and step statuses, agno's strings.
public enum RunStatus: String, Sendable, CaseIterable, Codable {
    case pending = "PENDING"
    case running = "RUNNING"
    case completed = "COMPLETED"
    case cancelled = "CANCELLED"
    case error = "ERROR"
    case paused = "PAUSED"
    case skipped = "SKIPPED"

    /// Whether a run in this status will never change again.
    public var isTerminal: Bool { self == .completed || self == .cancelled || self == .error }
}
