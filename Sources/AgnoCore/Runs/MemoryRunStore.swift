import AgnoProtocol
import Synchronization

/// Keeps runs and events in memory for the life of the process.
public final class MemoryRunStore: RunStore {
    private struct Entry {
        var summary: RunSummary
        var events: [EncodedEvent] = []
        var order: Int
    }

    private struct State {
        var runs: [String: Entry] = [:]
        var counter = 0
    }

    private let state = Mutex(State())

    public init() {}

    public func insert(_ run: RunSummary) throws {
        state.withLock { s in
            s.counter += 1
            s.runs[run.runID] = Entry(summary: run, order: s.counter)
        }
    }

    public func update(_ run: RunSummary) throws {
        state.withLock { s in s.runs[run.runID]?.summary = run }
    }

    public func append(runID: String, events: [EncodedEvent]) throws {
        state.withLock { s in s.runs[runID]?.events.append(contentsOf: events) }
    }

    public func events(runID: String, afterSeq: Int, limit: Int) throws -> [EncodedEvent] {
        state.withLock { s in
            guard let events = s.runs[runID]?.events, afterSeq < events.count else { return [] }
            // seq n is at index n-1
            let from = max(afterSeq, 0)
            return Array(events[from..<min(events.count, from + limit)])
        }
    }

    public func summary(runID: String) throws -> RunSummary? {
        state.withLock { s in s.runs[runID]?.summary }
    }

    public func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) throws -> [RunSummary] {
        state.withLock { s in
            s.runs.values
                .filter { e in (ownerUID == nil || e.summary.ownerUID == ownerUID) && (statuses == nil || statuses!.contains(e.summary.status)) }
                .sorted { $0.order > $1.order }
                .prefix(limit)
                .map(\.summary)
        }
    }

    public func remove(runID: String) throws -> Bool {
        state.withLock { s in s.runs.removeValue(forKey: runID) != nil }
    }
}
