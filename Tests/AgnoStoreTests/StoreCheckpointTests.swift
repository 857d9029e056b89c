import AgnoCore
import AgnoProtocol
import Foundation
import Testing

@testable import AgnoStore

/// The write-ahead log is copied into the database file in the background, and then starts again from its
/// beginning: it does not grow with everything ever stored (it grew without end while the checkpoint ran on a
/// read-only connection and failed without a word).
@Suite struct StoreCheckpointTests {
    typealias S = StoreTestSupport

    static func size(_ path: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0 }

    /// Commits `batches` batches of 500 events of ~1 KB to run `runID`, after `seq`.
    static func commit(_ store: SQLiteRunStore, _ runID: String, after seq: Int, batches: Int) throws -> Int {
        var seq = seq
        let padding = String(repeating: "x", count: 1000)
        for _ in 0..<batches {
            var batch = StoreBatch()
            batch.append(
                runID,
                (seq + 1...seq + 500).map { EncodedEvent(seq: $0, json: Array(#"{"event":"RunContent","content":"\#(padding)"}"#.utf8)) })
            try store.commitInline(batch)
            seq += 500
        }
        return seq
    }

    /// Until a checkpoint that began after the caller's last commit emptied the log: the second one counted
    /// from now (the first may have begun before). The counter is all there is to wait on.
    static func waitForEmptiedLog(_ checkpointer: StoreCheckpointer) async throws {
        let target = checkpointer.emptiedLogs + 2
        let deadline = ContinuousClock.now + .seconds(30)
        while checkpointer.emptiedLogs < target && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(checkpointer.emptiedLogs >= target, "no checkpoint emptied the log within 30 s")
    }

    /// Until two more checkpoints ran (the first may have begun before the caller's last commit).
    static func waitForCheckpoints(_ checkpointer: StoreCheckpointer) async throws {
        let target = checkpointer.checkpoints + 2
        let deadline = ContinuousClock.now + .seconds(30)
        while checkpointer.checkpoints < target && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(checkpointer.checkpoints >= target, "no checkpoint ran within 30 s")
    }

    /// A RESTART checkpoint holds the writer back while it waits for the log's readers: below its threshold the
    /// log is only copied (passive), never forced to start over, however often the checkpointer runs.
    @Test func belowTheThresholdTheLogIsCopiedButNotForcedToStartOver() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("r1"))
        let checkpointer = store.startCheckpointing(interval: 0.02, restartAbove: 100_000)
        defer { checkpointer.stop() }
        var seq = 0
        for _ in 0..<3 {
            seq = try Self.commit(store, "r1", after: seq, batches: 2)
            try await Self.waitForCheckpoints(checkpointer)
        }
        #expect(checkpointer.emptiedLogs == 0)
        #expect(Self.size(store.path) >= 1_000_000, "the events never reached the database file")
        #expect(try await store.events(runID: "r1", afterSeq: seq - 1, limit: 10).map(\.seq) == [seq])
    }

    /// Above it, the log starts over: it stays within about the threshold however much is stored.
    @Test func aboveTheThresholdTheLogStartsOverAndStaysBounded() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("r1"))
        // Below what one commit writes (500 events of ~1 KB: ~130 pages), so that whichever commits a tick finds
        // since the log last started over, they are above it (SQLite's writer may start the log over by itself
        // after a complete passive checkpoint: a tick may see one commit only).
        let pages = 100
        let checkpointer = store.startCheckpointing(interval: 0.02, restartAbove: pages)
        defer { checkpointer.stop() }
        var seq = 0
        for _ in 0..<4 {
            seq = try Self.commit(store, "r1", after: seq, batches: 4)  // ~2 MB a round, ~8 MB in all
            try await Self.waitForCheckpoints(checkpointer)
        }
        #expect(checkpointer.emptiedLogs >= 1)
        #expect(Self.size(store.path + "-wal") <= pages * 4096 + 3_000_000, "the log grew to \(Self.size(store.path + "-wal")) bytes")
    }

    @Test func theLogIsCheckpointedIntoTheDatabaseAndStartsAgain() async throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        try await store.insert(S.run("r1"))
        let checkpointer = store.startCheckpointing(interval: 0.02, restartAbove: 0)
        defer { checkpointer.stop() }
        let wal = store.path + "-wal"
        var seq = try Self.commit(store, "r1", after: 0, batches: 4)  // ~2 MB of events
        try await Self.waitForEmptiedLog(checkpointer)
        // The checkpointer copied the log's pages into the database file.
        #expect(Self.size(store.path) >= 1_000_000, "the events never reached the database file")
        // With the log emptied, new commits write it from its start again: the same amount of events again
        // leaves it no larger than the first round did (about twice as large, and growing, otherwise).
        let afterFirst = Self.size(wal)
        for _ in 0..<5 {
            seq = try Self.commit(store, "r1", after: seq, batches: 4)
            try await Self.waitForEmptiedLog(checkpointer)
        }
        #expect(Self.size(wal) <= afterFirst + 64 * 1024, "the log kept growing: \(Self.size(wal)) bytes after \(afterFirst)")
        #expect(try await store.events(runID: "r1", afterSeq: seq - 1, limit: 10).map(\.seq) == [seq])
    }
}
