import AgnoProtocol

/// What one group commit writes, in one transaction: new events of any number of runs, and the latest
/// summary of every run whose state changed. All of it is stored, or none.
public struct StoreBatch: Sendable {
    /// New events per run, each run's in `seq` order.
    public private(set) var events: [String: [EncodedEvent]] = [:]
    /// The latest summary of each run that changed (a later save of the same run replaces an earlier one).
    public private(set) var runs: [String: RunSummary] = [:]
    /// Tool calls that ended, per run, each stored with the event that reports it.
    public private(set) var toolCalls: [String: [ToolCallRecord]] = [:]
    /// Nodes that are done, per run (the run's position), each stored with the event that reports it.
    public private(set) var nodeResults: [String: [NodeResult]] = [:]

    public init() {}

    public var isEmpty: Bool { events.isEmpty && runs.isEmpty && toolCalls.isEmpty && nodeResults.isEmpty }
    public var eventCount: Int { events.values.reduce(0) { $0 + $1.count } }

    public mutating func append(_ runID: String, _ new: [EncodedEvent]) {
        guard !new.isEmpty else { return }
        events[runID, default: []].append(contentsOf: new)
    }

    public mutating func append(_ runID: String, toolCalls new: [ToolCallRecord]) {
        guard !new.isEmpty else { return }
        toolCalls[runID, default: []].append(contentsOf: new)
    }

    public mutating func append(_ runID: String, nodeResults new: [NodeResult]) {
        guard !new.isEmpty else { return }
        nodeResults[runID, default: []].append(contentsOf: new)
    }

    public mutating func save(_ run: RunSummary) {
        runs[run.runID] = run
    }

    /// Every run the batch writes something for.
    public var runIDs: Set<String> { Set(events.keys).union(runs.keys).union(toolCalls.keys).union(nodeResults.keys) }

    /// The batch without anything of `excluded`.
    public func removing(runs excluded: Set<String>) -> StoreBatch {
        guard !excluded.isEmpty else { return self }
        var copy = self
        for runID in excluded {
            copy.events[runID] = nil
            copy.runs[runID] = nil
            copy.toolCalls[runID] = nil
            copy.nodeResults[runID] = nil
        }
        return copy
    }

    public mutating func merge(_ other: StoreBatch) {
        for (runID, new) in other.events { append(runID, new) }
        for run in other.runs.values { save(run) }
        for (runID, new) in other.toolCalls { append(runID, toolCalls: new) }
        for (runID, new) in other.nodeResults { append(runID, nodeResults: new) }
    }
}
