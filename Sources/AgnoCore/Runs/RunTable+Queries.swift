import AgnoProtocol
import Foundation

/// What clients read: live runs from memory, the others from the store, each only for who may see it.
extension RunTable {
    /// The live record of a run the caller may see.
    public func live(_ runID: String) -> RunRecord? { state.withLock { $0.live[runID] } }

    /// Whether the run is about to be live: `start` is storing it, or a continue, cancel or timeout of its
    /// pause holds it. A reader that finds a run unfinished in the store and not live waits only then.
    /// Why the store refused a run's writes, when it did (the run stopped; it goes on after a restart).
    public func storeFailure(_ runID: String) -> String? { state.withLock { $0.unstored[runID] } }

    public func isBecomingLive(_ runID: String) -> Bool {
        state.withLock { $0.reserved.contains(runID) } || claims.isClaimed(runID)
    }

    /// A run's summary, or `not_found` when it does not exist or the caller may not see it.
    public func summary(_ runID: String, caller: Caller) async throws(ProtocolError) -> RunSummary {
        if let record = live(runID), caller.mayAccess(ownerUID: record.owner.uid) { return record.summary }
        let found: RunSummary?
        do {
            found = try await store.summary(runID: runID)
        } catch {
            // Not "no such run": the store could not answer (a run that exists must never look deleted).
            throw ProtocolError(.unavailable, "could not read run '\(runID)' from the store: \(error)", retryAfterMs: 200)
        }
        guard var stored = found, caller.mayAccess(ownerUID: stored.ownerUID) else {
            throw ProtocolError.notFound("no run '\(runID)'")
        }
        if let failure = storeFailure(runID), !stored.status.isTerminal {
            stored.error = "\(failure); the run stopped after seq \(stored.lastSeq), the last one stored, and goes on when agnod restarts"
        }
        return stored
    }

    /// A page of a run's tool calls with their whole results (those stored so far, for a live run), or `not_found`.
    public func toolCalls(_ runID: String, caller: Caller, afterSeq: Int, limit: Int, toolCallID: String?) async throws(ProtocolError)
        -> [ToolCallRecord]
    {
        _ = try await summary(runID, caller: caller)
        do {
            return try await store.toolCalls(runID: runID, afterSeq: afterSeq, limit: limit, toolCallID: toolCallID)
        } catch {
            throw ProtocolError(.internal, "could not read the run's tool calls: \(error)")
        }
    }

    /// The caller's runs (or everyone's), newest first.
    public func list(caller: Caller, allUsers: Bool, statuses: [RunStatus]?, limit: Int) async throws(ProtocolError) -> [RunSummary] {
        if allUsers && !caller.isAdmin {
            throw ProtocolError(.permissionDenied, "all_users needs an admin (root or a member of the admin group)")
        }
        let stored: [RunSummary]
        do {
            stored = try await store.summaries(ownerUID: allUsers ? nil : caller.uid, statuses: statuses.map(Set.init), limit: limit)
        } catch {
            throw ProtocolError(.internal, "could not read runs: \(error)")
        }
        // Live runs' summaries are fresher than what was last saved.
        return stored.map { live($0.runID)?.summary ?? $0 }
    }

    /// Deletes a finished run the caller may see.
    public func remove(_ runID: String, caller: Caller) async throws(ProtocolError) -> RunSummary {
        let summary = try await summary(runID, caller: caller)
        guard summary.status.isTerminal, live(runID) == nil else {
            throw ProtocolError(.conflict, "run '\(runID)' is \(summary.status.rawValue); cancel it before removing it")
        }
        do {
            _ = try await store.remove(runID: runID)
        } catch {
            throw ProtocolError(.unavailable, "could not remove run '\(runID)' from the store: \(error)", retryAfterMs: 200)
        }
        return summary
    }
}
