import AgnoCore
import AgnoProtocol
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The daemon's run store: one SQLite file in WAL mode (a writer and concurrent readers), written by the
/// `StoreWriter`'s group commits. Readers (replays, `status`, `list`) never wait for the writer.
public final class SQLiteRunStore: RunStore, InlineCommitting {
    public static let fileName = "agnod.sqlite"

    public let path: String
    let pool: DatabasePool
    /// run_id → the row's integer key, for runs this process writes to (events are keyed by the integer).
    private let keys = Mutex([String: Int64]())
    /// What was last stored for each run this process writes to (by row key).
    private let stored = Mutex([Int64: RunWriteState]())
    /// Full pages of stored events shared by all readers.
    private let pages: EventPageCache
    /// The shared page cache's default budget (`store.page_cache_mb`).
    public static let defaultPageCacheBytes = 64 << 20

    /// Opens (creating if needed) the store at `path`, applying any migrations it lacks. Full pages of events
    /// that readers read twice are kept up to `pageCacheBytes` (0: none).
    public init(path: String, durability: StoreDurability = .process, pageCacheBytes: Int = defaultPageCacheBytes) throws {
        self.path = path
        pages = EventPageCache(budget: pageCacheBytes)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.label = "agnod-store"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability.synchronousPragma)")
            // Checkpoints run on a connection of their own (`startCheckpointing`), not inside the writer's
            // commits, so their fsyncs stay off the path from an event to its readers.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            // Reads of the database file (a replay's pages) straight from the page cache, mapped, instead of a
            // read() and a copy per page: up to the first 256 MB of the file.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            if !FileManager.default.fileExists(atPath: directory) {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let created = !FileManager.default.fileExists(atPath: path)
            pool = try DatabasePool(path: path, configuration: configuration)
            // Runs hold users' inputs and outputs: only agnod reads the file (the WAL files inherit its mode).
            if created { chmod(path, 0o600) }
        } catch {
            throw StoreError(path: path, reason: "cannot open: \(error)")
        }
        let migrator = StoreSchema.migrator
        try pool.read { db in
            if try migrator.hasBeenSuperseded(db) {
                let unknown = try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
                throw StoreError(
                    path: path,
                    reason:
                        "it was written by a newer agnod (unknown migrations: \(unknown.sorted().joined(separator: ", "))); refusing to open it"
                )
            }
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw StoreError(path: path, reason: "cannot migrate: \(error)")
        }
    }

    /// Copies the write-ahead log into the database file every `interval` seconds, on a connection of its own,
    /// so that the log does not grow with everything ever stored. Not on one of the pool's readers: those are
    /// read-only, a checkpoint there fails (the log grew without end, ~360 KB per 2-step run). A passive
    /// checkpoint copies the pages without blocking anyone, and SQLite's writer starts the log over at its next
    /// commit when no reader is using the log then; with readers busy it may not, so once the log holds more
    /// than `restartAbove` pages a RESTART checkpoint starts it over. A RESTART holds the writer back while it
    /// waits for the log's readers (its busy timeout, 5 ms): done every second, that wait was the tail of the
    /// cancel latency with 1,000 runs active (p99 up to 15 ms); past 8,192 pages (32 MB) it is rare.
    public func startCheckpointing(interval: Double = 1, restartAbove: Int = 8192) -> StoreCheckpointer {
        let connection = Mutex<DatabaseQueue?>(nil)
        let path = self.path
        return StoreCheckpointer(interval: interval) {
            let queue = try connection.withLock { open in
                if let open { return open }
                var configuration = Configuration()
                configuration.busyMode = .timeout(0.005)
                configuration.label = "agnod-store-checkpoint"
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                open = queue
                return queue
            }
            return try queue.writeWithoutTransaction { db in
                let (log, copied) = try db.checkpoint(.passive)
                guard log > restartAbove && copied == log else { return false }
                return (try? db.checkpoint(.restart)) != nil
            }
        }
    }

    /// The store in `stateDir`.
    public convenience init(stateDir: String, durability: StoreDurability = .process, pageCacheBytes: Int = defaultPageCacheBytes) throws {
        try self.init(
            path: (stateDir as NSString).appendingPathComponent(Self.fileName), durability: durability, pageCacheBytes: pageCacheBytes)
    }

    public func insert(_ run: RunSummary) async throws {
        let key = try writeNow { db -> Int64 in
            try db.cachedStatement(
                sql: """
                    INSERT INTO runs (run_id, session_id, workflow, status, owner_uid, owner, input, content, error,
                                      created_at_ms, started_at_ms, finished_at_ms, additional_data, session_state,
                                      workflow_digest)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                run.runID, run.sessionID, run.workflow, run.status.rawValue, Int64(run.ownerUID), run.owner, run.input,
                run.content, run.error, StoredRun.milliseconds(run.createdAt), StoredRun.milliseconds(run.startedAt),
                StoredRun.milliseconds(run.finishedAt), run.additionalData?.encodedString, run.sessionState?.encodedString,
                run.workflowDigest,
            ])
            let key = db.lastInsertedRowID
            try saveSteps(db, key: key, run.steps, stored: nil)
            return key
        }
        keys.withLock { $0[run.runID] = key }
        stored.withLock { $0[key] = RunWriteState(steps: run.steps, lastSeq: 0, row: RunRow(run)) }
    }

    public func commit(_ batch: StoreBatch) async throws {
        let written = try writeNow { db in try self.write(batch, db) }
        forget(written)
    }

    /// The writer thread's commit: the same transaction, without leaving the thread.
    public func commitInline(_ batch: StoreBatch) throws {
        let written = try writeNow { db in try write(batch, db) }
        forget(written)
    }

    /// SQLite answers on the calling thread: a local file, read and written in microseconds, so the async
    /// methods do their work inline instead of hopping to GRDB's queues and back. All of them, never a mix: a task blocked waiting for a reader while the
    /// reader's holder waits for a thread of the same pool would deadlock (seen when only some reads were async).
    private func readNow<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }
    private func writeNow<T>(_ body: (Database) throws -> T) throws -> T {
        // A transaction of its own, begun and committed by cached statements (GRDB's `write` prepares both
        // each time: ~3 % of a sequential run's CPU).
        try pool.writeWithoutTransaction { db in
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                let result = try body(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                return result
            } catch {
                if db.isInsideTransaction { try? db.execute(sql: "ROLLBACK TRANSACTION") }
                throw error
            }
        }
    }

    /// After a commit: remember the steps it stored; a finished run gets no more writes, so forget its key.
    private func forget(_ written: Written) {
        stored.withLock { stored in
            for (key, seq) in written.seqs { stored[key, default: RunWriteState(steps: [], lastSeq: 0)].lastSeq = seq }
            for (key, run) in written.runs {
                stored[key, default: RunWriteState(steps: [], lastSeq: 0)].steps = run.steps
                stored[key]!.row = run.row
            }
            for key in written.settledKeys { stored[key] = nil }
        }
        if !written.settled.isEmpty { keys.withLock { k in for runID in written.settled { k[runID] = nil } } }
    }

    /// What a commit wrote: the runs it finished, and each run's steps as now stored.
    private struct Written {
        var settled: [String] = []
        var settledKeys: [Int64] = []
        var runs: [Int64: (steps: [StepSummary], row: RunRow)] = [:]
        var seqs: [Int64: Int] = [:]
    }

    /// Writes a batch in the current transaction.
    private func write(_ batch: StoreBatch, _ db: Database) throws -> Written {
        var written = Written()
        let insertEvents = try db.cachedStatement(sql: "INSERT INTO events (run, seq, json, last_seq) VALUES (?, ?, ?, ?)")
        let lastStored = try db.cachedStatement(sql: "SELECT \(EventRows.lastSeq(ofRun: "?"))")
        for (runID, events) in batch.events {
            guard let key = try key(db, runID) else { continue }  // removed meanwhile
            // A row's key is its first seq only: an event stored twice would not break it, so it is refused here.
            var previous = try stored.withLock({ $0[key]?.lastSeq }) ?? Int.fetchOne(lastStored, arguments: [key]) ?? 0
            for event in events {
                guard event.seq > previous else {
                    throw DatabaseError(
                        resultCode: .SQLITE_CONSTRAINT_PRIMARYKEY,
                        message: "event \(event.seq) of run '\(runID)' comes after \(previous): stored already or out of order")
                }
                previous = event.seq
            }
            for row in EventRows.rows(events) {
                try insertEvents.execute(arguments: [key, row.first, Data(row.json), row.last])
            }
            if let last = events.last { written.seqs[key] = last.seq }
        }
        for (runID, calls) in batch.toolCalls {
            let insertCall = try db.cachedStatement(
                sql: """
                    INSERT INTO tool_calls (run, seq, tool_call_id, step_index, step_name, agent_id, name, arguments, result, error, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """)
            guard let key = try key(db, runID) else { continue }
            for call in calls {
                try insertCall.execute(arguments: [
                    key, call.seq, call.toolCallID, call.stepIndex, call.stepName, call.agentID, call.name,
                    call.arguments.encodedString, call.result, call.error, call.durationMS,
                ])
            }
        }
        for (runID, results) in batch.nodeResults {
            let insertResult = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO node_results (run, seq, path, idx, succeeded, output) VALUES (?, ?, ?, ?, ?, ?)")
            guard let key = try key(db, runID) else { continue }
            for r in results {
                try insertResult.execute(arguments: [key, r.seq, r.path, r.index, r.succeeded, r.output])
            }
        }
        for run in batch.runs.values {
            guard let key = try key(db, run.runID) else { continue }
            let before = stored.withLock { $0[key] }
            let row = RunRow(run)
            if let previous = before?.row, previous.status == row.status {
                if previous != row {
                    try db.cachedStatement(sql: "UPDATE runs SET \(RunRow.restColumns) WHERE id = ?")
                        .execute(arguments: StatementArguments(row.rest + [key]))
                }
            } else {
                try db.cachedStatement(sql: "UPDATE runs SET status = ?, \(RunRow.restColumns) WHERE id = ?")
                    .execute(arguments: StatementArguments([row.status] + row.rest + [key]))
            }
            try saveSteps(db, key: key, run.steps, stored: before?.steps)
            written.runs[key] = (run.steps, row)
            if run.status.isTerminal {
                written.settled.append(run.runID)
                written.settledKeys.append(key)
            }
        }
        return written
    }

    private func key(_ db: Database, _ runID: String) throws -> Int64? {
        if let key = keys.withLock({ $0[runID] }) { return key }
        guard let key = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM runs WHERE run_id = ?"), arguments: [runID]) else {
            return nil
        }
        keys.withLock { $0[runID] = key }
        return key
    }

    /// Writes the steps that differ from `stored` (all of them when it is nil).
    private func saveSteps(_ db: Database, key: Int64, _ steps: [StepSummary], stored: [StepSummary]?) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO steps (run, idx, name, status, content, error, path, type, iteration, attempt, metrics)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        for (i, step) in steps.enumerated() {
            if let stored, i < stored.count, stored[i] == step { continue }
            try statement.execute(arguments: [
                key, step.index, step.name, step.status.rawValue, step.content, step.error, step.path, step.type, step.iteration,
                step.attempt, step.metrics?.json.encodedString,
            ])
        }
    }

    public func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent] {
        try await eventBlock(runID: runID, afterSeq: afterSeq, limit: limit).events
    }

    /// Events after `afterSeq`, at most `limit`, read page by page through the shared page cache.
    public func eventBlock(runID: String, afterSeq: Int, limit: Int) async throws -> EventBlock {
        guard limit > 0 else { return EventBlock() }
        var events = EventBlock()
        var page = pages.page(of: afterSeq + 1)
        while events.count < limit {
            let key = EventPageCache.Key(run: runID, page: page)
            let stored: EventBlock
            if let cached = pages.get(key) {
                stored = cached
            } else {
                stored = try readPage(runID: runID, page: page)
                pages.put(key, stored)
            }
            if events.isEmpty && stored.count <= limit && (stored.seqs.first ?? .max) > afterSeq {
                events = stored  // the whole page, shared with the cache: no copy
            } else {
                events.append(stored, after: afterSeq, limit: limit)
            }
            // A short page is the end of what is stored.
            guard stored.count == pages.pageSize else { break }
            page += 1
        }
        return events
    }

    /// One page from SQLite: the rows that hold its seqs (`EventRows`), the first of them perhaps starting
    /// before the page (at most `EventRows.perRow` - 1 seqs before it).
    private func readPage(runID: String, page: Int) throws -> EventBlock {
        let pageSize = pages.pageSize
        let seqs = (page * pageSize + 1)...((page + 1) * pageSize)
        return try readNow { db in
            let statement = try db.cachedStatement(
                sql: """
                    WITH r AS (SELECT id FROM runs WHERE run_id = ?)
                    SELECT seq, last_seq, json FROM events, r
                    WHERE run = r.id AND seq <= ?
                      AND seq >= coalesce((SELECT max(seq) FROM events e WHERE e.run = r.id AND e.seq <= ?), 0)
                    ORDER BY seq
                    """)
            var events = EventBlock()
            events.reserve(events: pageSize, bytes: 0)
            // From the row that holds the page's first seq (rows do not overlap: the last one starting at or
            // before it), so no row that ends before the page is read.
            let rows = try Row.fetchCursor(statement, arguments: [runID, seqs.upperBound, seqs.lowerBound])
            // The columns straight from SQLite's row (GRDB steps): one copy of each event, no Data in between.
            let sqlite = statement.sqliteStatement
            while try rows.next() != nil {
                let first = Int(sqlite3_column_int64(sqlite, 0))
                let last = sqlite3_column_type(sqlite, 1) == SQLITE_NULL ? nil : Int(sqlite3_column_int64(sqlite, 1))
                let blob = sqlite3_column_blob(sqlite, 2)  // (before its size, as SQLite asks)
                let json = UnsafeRawBufferPointer(start: blob, count: blob == nil ? 0 : Int(sqlite3_column_bytes(sqlite, 2)))
                do {
                    try EventRows.append(first: first, last: last, json: json, in: seqs, to: &events)
                } catch {
                    throw StoreError(path: path, reason: "run '\(runID)': \(error)")
                }
            }
            return events
        }
    }

    /// Hits and misses of the page cache (benchmarks).
    public var pageCacheStatistics: (hits: Int, misses: Int, bytes: Int) { pages.statistics }

    public func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord] {
        try readNow { db in
            let statement = try db.cachedStatement(
                sql: """
                    SELECT seq, tool_call_id, step_index, step_name, agent_id, name, arguments, result, error, duration_ms
                    FROM tool_calls WHERE run = (SELECT id FROM runs WHERE run_id = ?) AND seq > ? AND (? IS NULL OR tool_call_id = ?)
                    ORDER BY seq LIMIT ?
                    """)
            let arguments: StatementArguments = [runID, afterSeq, toolCallID, toolCallID, Int64(clamping: limit)]
            return try Row.fetchAll(statement, arguments: arguments).map { row in
                let arguments: String = row["arguments"]
                return ToolCallRecord(
                    seq: row["seq"], toolCallID: row["tool_call_id"], stepIndex: row["step_index"], stepName: row["step_name"],
                    agentID: row["agent_id"], name: row["name"], arguments: (try? JSONValue.parse(arguments)) ?? .string(arguments),
                    result: row["result"], error: row["error"], durationMS: row["duration_ms"])
            }
        }
    }

    public func position(runID: String) async throws -> [NodeResult] {
        try readNow { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT seq, path, idx, succeeded, output FROM node_results WHERE run = (SELECT id FROM runs WHERE run_id = ?) ORDER BY seq
                        """), arguments: [runID]
            ).map { row in
                NodeResult(seq: row["seq"], path: row["path"], index: row["idx"], succeeded: row["succeeded"], output: row["output"])
            }
        }
    }

    public func summary(runID: String) async throws -> RunSummary? {
        try readNow { db in
            guard
                let row = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT \(StoredRun.columns) FROM runs r WHERE r.run_id = ?"), arguments: [runID])
            else {
                return nil
            }
            return StoredRun.summary(row, steps: try StoredRun.steps(db, run: row["id"]))
        }
    }

    public func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let ownerUID {
            conditions.append("r.owner_uid = ?")
            arguments += [Int64(ownerUID)]
        }
        if let statuses {
            guard !statuses.isEmpty else { return [] }
            conditions.append("r.status IN (\(statuses.map { _ in "?" }.joined(separator: ",")))")
            arguments += StatementArguments(statuses.map(\.rawValue))
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [Int64(clamping: limit)]
        return try readNow { [arguments] db in
            try Row.fetchAll(db, sql: "SELECT \(StoredRun.columns) FROM runs r \(filter) ORDER BY r.id DESC LIMIT ?", arguments: arguments)
                .map { row in StoredRun.summary(row, steps: try StoredRun.steps(db, run: row["id"])) }
        }
    }

    public func remove(runID: String) async throws -> Bool {
        let removed = try writeNow { db in
            try db.execute(sql: "DELETE FROM runs WHERE run_id = ?", arguments: [runID])
            return db.changesCount > 0
        }
        if let key = keys.withLock({ $0.removeValue(forKey: runID) }) {
            stored.withLock { $0[key] = nil }
        }
        pages.remove(run: runID)
        return removed
    }

    public func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int {
        let finished = "status IN ('\(RunStatus.completed.rawValue)', '\(RunStatus.cancelled.rawValue)', '\(RunStatus.error.rawValue)')"
        let total = try writeNow { db -> Int in
            var total = 0
            if let cutoff = StoredRun.milliseconds(finishedBefore) {
                try db.execute(
                    sql: "DELETE FROM runs WHERE \(finished) AND coalesce(finished_at_ms, created_at_ms) < ?", arguments: [cutoff])
                total += db.changesCount
            }
            if let keepNewest {
                if keepNewest <= 0 {
                    try db.execute(sql: "DELETE FROM runs WHERE \(finished)")
                } else {
                    // Older than the keepNewest-th newest finished run (nothing when there are fewer).
                    try db.execute(
                        sql: """
                            DELETE FROM runs WHERE \(finished) AND id < (SELECT id FROM runs WHERE \(finished) ORDER BY id DESC LIMIT 1 OFFSET ?)
                            """, arguments: [keepNewest - 1])
                }
                total += db.changesCount
            }
            return total
        }
        if total > 0 { pages.removeAll() }
        return total
    }

    /// Moves the write-ahead log into the database file and empties the log.
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// Bytes the database takes on disk (the file and its write-ahead log).
    public var sizeOnDisk: Int {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0)
        }
    }
}
