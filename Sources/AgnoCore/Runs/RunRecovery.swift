import AgnoProtocol
import Foundation

/// At start-up, before the socket listens: runs that a previous process left PENDING, RUNNING or PAUSED.
/// Their tasks died with it; `disposition` decides per run. A PAUSED run keeps waiting. A PENDING or
/// RUNNING one is kept to go on from its last completed node (`RunTable.resume`, durable resume) or ends
/// ERROR with a final event saying why (`on_restart: error`, or its workflow is gone or changed). Every
/// stream that re-attaches to an ended one then gets its `end`.
public struct RunRecovery: Sendable {
    public static let interruptedRunning = "interrupted: agnod stopped while the run was running"
    public static let interruptedPending = "interrupted: agnod stopped before the run started"

    public enum Disposition: Sendable, Equatable {
        case endWithError(String)
        /// Left as it is: it goes on after start-up (`RunTable.resume`), or, PAUSED, keeps waiting.
        case keep

        /// Why the run ends, if it does.
        public var reason: String? {
            if case .endWithError(let reason) = self { return reason }
            return nil
        }
    }

    /// What start-up found: the runs it ended, and those left to go on (PENDING or RUNNING) or to wait (PAUSED).
    public struct Outcome: Sendable {
        public var ended: [RunSummary] = []
        public var resumable: [RunSummary] = []
        public var paused: [RunSummary] = []
    }

    public var disposition: @Sendable (RunSummary) -> Disposition

    public init(disposition: @escaping @Sendable (RunSummary) -> Disposition = RunRecovery.endInterrupted) {
        self.disposition = disposition
    }

    public static func endInterrupted(_ run: RunSummary) -> Disposition {
        if run.status == .paused { return .keep }
        return .endWithError(run.status == .pending ? interruptedPending : interruptedRunning)
    }

    /// Ends every unfinished run in `store` that its disposition ends; returns those runs as they now are.
    public func recover(_ store: any RunStore, now: Date = Date()) async throws -> [RunSummary] {
        try await recoverAll(store, now: now).ended
    }

    /// Ends the unfinished runs that their disposition ends; returns those and the ones it keeps.
    public func recoverAll(_ store: any RunStore, now: Date = Date()) async throws -> Outcome {
        try await recover(try await store.unfinished(), in: store, now: now)
    }

    /// `recoverAll` for these runs (those of another host that died, taken over by this one).
    public func recover(_ runs: [RunSummary], in store: any RunStore, now: Date = Date()) async throws -> Outcome {
        var outcome = Outcome()
        var ending: [(RunSummary, String)] = []
        for run in runs {
            switch disposition(run) {
            case .keep:
                if run.status == .paused { outcome.paused.append(run) } else { outcome.resumable.append(run) }
            case .endWithError(let reason):
                ending.append((run, reason))
            }
        }
        outcome.ended = try await Self.end(ending, in: store, now: now)
        return outcome
    }

    /// Ends runs ERROR with `reason` and a final event saying they were interrupted, in one commit; returns
    /// them as they now are. Used at start-up, and by a host that takes over the runs of one that died.
    public static func end(_ runs: [(RunSummary, String)], in store: any RunStore, now: Date = Date()) async throws -> [RunSummary] {
        var recovered: [RunSummary] = []
        var batch = StoreBatch()
        for (run, reason) in runs {
            var ended = run
            ended.status = .error
            ended.waitingFor = nil
            ended.error = reason
            ended.finishedAt = now
            ended.lastSeq = run.lastSeq + 1
            for i in ended.steps.indices
            where !ended.steps[i].status.isTerminal && ![.pending, .skipped].contains(ended.steps[i].status) {
                ended.steps[i].status = .error
                ended.steps[i].error = reason
            }
            let events = RunEvents(runID: run.runID, sessionID: run.sessionID, workflowName: run.workflow)
            let final = events.workflow(.workflowError, [("error", .string(reason)), ("interrupted", .bool(true))])
            batch.append(run.runID, [EncodedEvent(seq: ended.lastSeq, json: final.encoded)])
            batch.save(ended)
            recovered.append(ended)
        }
        if !batch.isEmpty { try await store.commit(batch) }
        return recovered
    }
}
