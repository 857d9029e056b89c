import AgnoProtocol
import Foundation

/// Where runs and their events are kept. The interface is async, the boundary between the core and a backend:
/// SQLite (local, fast) answers inline; a networked backend (PostgreSQL) awaits its connection. A run is inserted before `start` replies; after that its events and
/// summary changes arrive in group commits (`commit`) from the `StoreWriter`, and no subscriber sees an event
/// before the commit that holds it has returned. `SQLiteRunStore` (AgnoStore) is the daemon's; `MemoryRunStore`
/// keeps runs for the process's life, for tests of the core.
public protocol RunStore: Sendable {
    /// Records a new run (status PENDING), durably, before `start` replies.
    func insert(_ run: RunSummary) async throws
    /// Stores a batch in one transaction: all of it or none. Events of a run that no longer exists are dropped.
    func commit(_ batch: StoreBatch) async throws
    /// Events with `seq > afterSeq`, at most `limit`, in order.
    func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent]
    /// The same events in one buffer (a replay's frames are written straight from it).
    func eventBlock(runID: String, afterSeq: Int, limit: Int) async throws -> EventBlock
    /// A run's tool calls that ended after `afterSeq` (the seq of the event that ended each), in that order,
    /// at most `limit`, with their whole results; only the one with `toolCallID` when it is given.
    func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord]
    /// The nodes of a run that are done (its position), in the order they were done.
    func position(runID: String) async throws -> [NodeResult]
    /// A run's summary; its `lastSeq` is the last stored event's.
    func summary(runID: String) async throws -> RunSummary?
    /// Runs newest first, optionally only one owner's and only some statuses.
    func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary]
    /// Deletes a run and its events; false when there was no such run.
    func remove(runID: String) async throws -> Bool
    /// Deletes finished runs that ended before `finishedBefore`, and finished runs beyond the newest
    /// `keepNewest`; returns how many were deleted. Runs not finished are never deleted.
    func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int
    /// Runs a previous process of this host left PENDING, RUNNING or PAUSED (a shared store: only this
    /// host's, since the others' are still running there).
    func unfinished() async throws -> [RunSummary]
}

extension RunStore {
    public func eventBlock(runID: String, afterSeq: Int, limit: Int) async throws -> EventBlock {
        EventBlock(try await events(runID: runID, afterSeq: afterSeq, limit: limit))
    }

    /// All of a run's tool calls.
    public func toolCalls(runID: String) async throws -> [ToolCallRecord] {
        try await toolCalls(runID: runID, afterSeq: 0, limit: Int.max, toolCallID: nil)
    }

    /// Runs a previous process left PENDING, RUNNING or PAUSED: all of them, in a store of one host.
    public func unfinished() async throws -> [RunSummary] {
        try await summaries(ownerUID: nil, statuses: [.pending, .running, .paused], limit: Int.max)
    }
}

/// A backend that can commit on the calling thread (SQLite: a local file). The store writer then commits
/// without a hop to a task and back; other backends are awaited from the writer's thread.
public protocol InlineCommitting: Sendable {
    func commitInline(_ batch: StoreBatch) throws
}
