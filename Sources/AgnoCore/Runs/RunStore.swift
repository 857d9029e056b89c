import AgnoProtocol

/// Where runs and their events are kept. The run table writes an event here before any subscriber sees it,
/// so whatever a client has received can be replayed. `MemoryRunStore` keeps them for the process's life;
/// a durable store (SQLite) implements the same protocol.
public protocol RunStore: Sendable {
    /// Records a new run (status PENDING) before `start` replies.
    func insert(_ run: RunSummary) throws
    /// Replaces a run's summary (status, steps, content…).
    func update(_ run: RunSummary) throws
    /// Appends events; their `seq` continue the run's sequence without gaps.
    func append(runID: String, events: [EncodedEvent]) throws
    /// Events with `seq > afterSeq`, at most `limit`, in order.
    func events(runID: String, afterSeq: Int, limit: Int) throws -> [EncodedEvent]
    func summary(runID: String) throws -> RunSummary?
    /// Runs newest first, optionally only one owner's and only some statuses.
    func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) throws -> [RunSummary]
    /// Deletes a run and its events; false when there was no such run.
    func remove(runID: String) throws -> Bool
}
