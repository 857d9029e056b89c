import Foundation

/// Which finished runs are deleted, and how often that is checked. Runs not finished are never deleted.
public struct RetentionPolicy: Sendable, Equatable {
    /// Finished runs that ended longer ago than this are deleted (nil: kept whatever their age).
    public var maxAge: TimeInterval?
    /// Only the newest this many finished runs are kept (nil: no limit).
    public var maxRuns: Int?
    /// How often the daemon applies the policy (also once at start-up).
    public var interval: TimeInterval

    public init(maxAge: TimeInterval? = 30 * 86_400, maxRuns: Int? = 100_000, interval: TimeInterval = 3_600) {
        self.maxAge = maxAge
        self.maxRuns = maxRuns
        self.interval = interval
    }

    /// Applies the policy; returns how many runs were deleted.
    public func apply(to store: any RunStore, now: Date = Date()) async throws -> Int {
        guard maxAge != nil || maxRuns != nil else { return 0 }
        return try await store.removeFinished(finishedBefore: maxAge.map { now.addingTimeInterval(-$0) }, keepNewest: maxRuns)
    }
}
