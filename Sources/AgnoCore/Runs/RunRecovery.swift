import AgnoProtocol
import Foundation

/// At start-up, before the socket listens: runs that a previous process left PENDING, RUNNING or PAUSED
/// cannot go on (their tasks died with it), so each ends ERROR with a final event saying so. Every stream that
/// re-attaches then gets its `end`.
///
/// The hook for durable resume: `disposition` decides per run. Today it always answers `.endWithError`; a later
/// version can answer "resume from the last completed step" for workflows that allow it, since the store
/// already keeps each step's status and output.
public struct RunRecovery: Sendable {
    public static let interruptedRunning = "interrupted: agnod stopped while the run was running"
    public static let interruptedPending = "interrupted: agnod stopped before the run started"

    public enum Disposition: Sendable, Equatable {
        case endWithError(String)
    }

    public var disposition: @Sendable (RunSummary) -> Disposition

    public init(disposition: @escaping @Sendable (RunSummary) -> Disposition = RunRecovery.endInterrupted) {
        self.disposition = disposition
    }

    public static func endInterrupted(_ run: RunSummary) -> Disposition {
        .endWithError(run.status == .pending ? interruptedPending : interruptedRunning)
    }

    /// Ends every unfinished run in `store`; returns the runs as they now are.
    public func recover(_ store: any RunStore, now: Date = Date()) async throws -> [RunSummary] {
        var recovered: [RunSummary] = []
        var batch = StoreBatch()
        for run in try await store.unfinished() {
            switch disposition(run) {
            case .endWithError(let reason):
                var ended = run
                ended.status = .error
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
        }
        if !batch.isEmpty { try await store.commit(batch) }
        return recovered
    }
}
