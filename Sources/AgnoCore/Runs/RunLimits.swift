/// How many runs may execute and wait, overall and per user.
public struct RunLimits: Sendable, Equatable {
    /// Runs executing at once, all users.
    public var activeRuns: Int
    /// Runs executing at once for one user; more wait as PENDING in that user's queue.
    public var activeRunsPerUser: Int
    /// Runs waiting for one user; beyond this `start` answers `busy`.
    public var queuedRunsPerUser: Int

    public init(activeRuns: Int = 64, activeRunsPerUser: Int = 8, queuedRunsPerUser: Int = 1000) {
        self.activeRuns = activeRuns
        self.activeRunsPerUser = activeRunsPerUser
        self.queuedRunsPerUser = queuedRunsPerUser
    }
}
