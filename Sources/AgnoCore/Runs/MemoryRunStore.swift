import AgnoProtocol
import Foundation
import Synchronization

/// Keeps runs and events in memory for the life of the process (tests of the core; the daemon uses SQLite).
public final class MemoryRunStore: RunStore {
    private struct Entry {
        var summary: RunSummary
        var events: [EncodedEvent] = []
        var toolCalls: [ToolCallRecord] = []
        var position: [NodeResult] = []
        var order: Int
    }

    private struct State {
        var runs: [String: Entry] = [:]
        var counter = 0
        var commits = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// How many group commits were made (tests check that batching happens).
    public var commitCount: Int { state.withLock { $0.commits } }

    public func insert(_ run: RunSummary) async throws {
        state.withLock { s in
            s.counter += 1
            s.runs[run.runID] = Entry(summary: run, order: s.counter)
        }
    }

    public func commit(_ batch: StoreBatch) async throws {
        state.withLock { s in
            s.commits += 1
            for (runID, events) in batch.events { s.runs[runID]?.events.append(contentsOf: events) }
            for (runID, calls) in batch.toolCalls { s.runs[runID]?.toolCalls.append(contentsOf: calls) }
            for (runID, results) in batch.nodeResults {
                for r in results {
                    s.runs[runID]?.position.removeAll { $0.path == r.path }
                    s.runs[runID]?.position.append(r)
                }
            }
            for run in batch.runs.values { s.runs[run.runID]?.summary = run }
        }
    }

    public func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent] {
        storedEvents(runID: runID, afterSeq: afterSeq, limit: limit)
    }

    /// What `events` answers, without waiting: tests read it from a commit's completion.
    public func storedEvents(runID: String, afterSeq: Int, limit: Int) -> [EncodedEvent] {
        state.withLock { s in
            guard let events = s.runs[runID]?.events, afterSeq < events.count else { return [] }
            // seq n is at index n-1
            let from = max(afterSeq, 0)
            return Array(events[from..<min(events.count, from + limit)])
        }
    }

    public func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord] {
        state.withLock { s in
            Array(
                (s.runs[runID]?.toolCalls ?? []).filter { $0.seq > afterSeq && (toolCallID == nil || $0.toolCallID == toolCallID) }.prefix(
                    limit))
        }
    }

    public func position(runID: String) async throws -> [NodeResult] {
        state.withLock { s in s.runs[runID]?.position ?? [] }
    }

    public func summary(runID: String) async throws -> RunSummary? {
        state.withLock { s in s.runs[runID].map(Self.summary) }
    }

    private static func summary(_ entry: Entry) -> RunSummary {
        var summary = entry.summary
        summary.lastSeq = entry.events.last?.seq ?? 0
        return summary
    }

    public func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary] {
        state.withLock { s in
            s.runs.values
                .filter { e in
                    (ownerUID == nil || e.summary.ownerUID == ownerUID) && (statuses == nil || statuses!.contains(e.summary.status))
                }
                .sorted { $0.order > $1.order }
                .prefix(limit)
                .map(Self.summary)
        }
    }

    public func remove(runID: String) async throws -> Bool {
        state.withLock { s in s.runs.removeValue(forKey: runID) != nil }
    }

    public func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int {
        state.withLock { s in
            let finished = s.runs.values.filter { $0.summary.status.isTerminal }.sorted { $0.order > $1.order }
            var doomed: [String] = []
            for (rank, entry) in finished.enumerated() {
                let tooOld = finishedBefore.map { (entry.summary.finishedAt ?? entry.summary.createdAt) < $0 } ?? false
                let tooMany = keepNewest.map { rank >= $0 } ?? false
                if tooOld || tooMany { doomed.append(entry.summary.runID) }
            }
            for runID in doomed { s.runs[runID] = nil }
            return doomed.count
        }
    }
}
