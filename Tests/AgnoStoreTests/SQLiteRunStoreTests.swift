import AgnoCore
import AgnoProtocol
import Foundation
import GRDB
import Testing

@testable import AgnoStore

/// The SQLite store on its own: what goes in comes back, across reopening, and deletion rules hold.
@Suite struct SQLiteRunStoreTests {
    typealias S = StoreTestSupport

    @Test func aRunItsStepsAndEventsComeBackAsStored() async throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        var run = S.run("r1")
        try await store.insert(run)
        #expect(try await store.summary(runID: "r1") == run)

        run.status = .completed
        run.content = "the article"
        run.startedAt = Date(timeIntervalSince1970: 1_700_000_001.5)
        run.finishedAt = Date(timeIntervalSince1970: 1_700_000_009.25)
        run.steps[0].status = .completed
        run.steps[0].content = "facts"
        run.steps[1].status = .error
        run.steps[1].error = "model down"
        var batch = StoreBatch()
        batch.append("r1", S.events(1...3, runID: "r1"))
        batch.append("r1", S.events(4...5, runID: "r1"))
        batch.save(run)
        try await store.commit(batch)

        run.lastSeq = 5
        #expect(try await store.summary(runID: "r1") == run)
        #expect(try await store.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
        #expect(try await store.events(runID: "r1", afterSeq: 2, limit: 2) == S.events(3...4, runID: "r1"))
        #expect(try await store.events(runID: "r1", afterSeq: 5, limit: 100).isEmpty)
        #expect(try await store.events(runID: "nope", afterSeq: 0, limit: 100).isEmpty)

        // A new process opening the same file sees the same.
        let reopened = try SQLiteRunStore(stateDir: dir)
        #expect(try await reopened.summary(runID: "r1") == run)
        #expect(try await reopened.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
    }

    @Test func toolCallsKeepTheirWholeResultAcrossReopeningAndGoWithTheirRun() async throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        try await store.insert(S.run("t1"))
        try await store.insert(S.run("t2"))
        let big = String(repeating: "0123456789abcdef", count: 64 * 1024)  // 1 MiB: far beyond what events carry
        let calls = [
            ToolCallRecord(
                seq: 3, toolCallID: "call_1", stepIndex: 0, stepName: "research", agentID: "researcher", name: "web_search",
                arguments: .object([("query", "swift ünïcode"), ("max_results", 3)]), result: big, error: nil, durationMS: 12.5),
            ToolCallRecord(
                seq: 5, toolCallID: "call_2", stepIndex: 1, stepName: "writing", agentID: "writer", name: "divide",
                arguments: .string("{not json"), result: nil, error: "the arguments are not valid JSON: {not json", durationMS: 0.25),
        ]
        var batch = StoreBatch()
        batch.append("t1", S.events(1...5, runID: "t1"))
        batch.append("t1", toolCalls: calls)
        batch.append("t2", toolCalls: [calls[0]])
        try await store.commit(batch)
        #expect(try await store.toolCalls(runID: "t1") == calls)
        #expect(try await SQLiteRunStore(stateDir: dir).toolCalls(runID: "t1") == calls)
        #expect(try await store.toolCalls(runID: "nope").isEmpty)

        // The same seq twice violates the key: the whole batch (its events too) is refused.
        var again = StoreBatch()
        again.append("t1", S.events(6...6, runID: "t1"))
        again.append("t1", toolCalls: [calls[1]])
        await #expect(throws: (any Error).self) { try await store.commit(again) }
        #expect(try await store.events(runID: "t1", afterSeq: 5, limit: 10).isEmpty)

        func stored() async throws -> Int {
            try await store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_calls") ?? -1 }
        }
        #expect(try await stored() == 3)
        #expect(try await store.remove(runID: "t1"))
        #expect(try await stored() == 1)
        #expect(try await store.toolCalls(runID: "t2").count == 1)
        var finished = S.run("t2")
        finished.status = .completed
        var end = StoreBatch()
        end.save(finished)
        try await store.commit(end)
        #expect(try await store.removeFinished(finishedBefore: nil, keepNewest: 0) == 1)
        #expect(try await stored() == 0)
    }

    @Test func aCommitIsAllOrNothing() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("a"))
        try await store.insert(S.run("b"))
        var first = StoreBatch()
        first.append("a", S.events(1...2, runID: "a"))
        try await store.commit(first)
        // seq 2 of "a" again violates the key: nothing of this batch, not even "b"'s events, may stay.
        var bad = StoreBatch()
        bad.append("b", S.events(1...3, runID: "b"))
        bad.append("a", S.events(2...3, runID: "a"))
        await #expect(throws: (any Error).self) { try await store.commit(bad) }
        #expect(try await store.events(runID: "b", afterSeq: 0, limit: 10).isEmpty)
        #expect(try await store.events(runID: "a", afterSeq: 0, limit: 10) == S.events(1...2, runID: "a"))
    }

    @Test func eventsOfARemovedRunAreDroppedNotFailed() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("gone"))
        try await store.insert(S.run("kept"))
        #expect(try await store.remove(runID: "gone"))
        #expect(try await !store.remove(runID: "gone"))
        var batch = StoreBatch()
        batch.append("gone", S.events(1...2, runID: "gone"))
        batch.append("kept", S.events(1...2, runID: "kept"))
        try await store.commit(batch)
        #expect(try await store.summary(runID: "gone") == nil)
        #expect(try await store.events(runID: "kept", afterSeq: 0, limit: 10).count == 2)
    }

    @Test func listingFiltersByOwnerAndStatusNewestFirst() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        for (i, uid) in [1001, 1002, 1001, 1001].enumerated() {
            try await store.insert(S.run("r\(i)", uid: UInt32(uid)))
        }
        var batch = StoreBatch()
        var done = S.run("r2", uid: 1001, status: .completed)
        done.finishedAt = Date()
        batch.save(done)
        try await store.commit(batch)
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r3", "r2", "r1", "r0"])
        #expect(try await store.summaries(ownerUID: 1001, statuses: nil, limit: 10).map(\.runID) == ["r3", "r2", "r0"])
        #expect(try await store.summaries(ownerUID: 1001, statuses: [.pending], limit: 10).map(\.runID) == ["r3", "r0"])
        #expect(try await store.summaries(ownerUID: nil, statuses: [.completed, .error], limit: 10).map(\.runID) == ["r2"])
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 2).map(\.runID) == ["r3", "r2"])
        #expect(try await store.summaries(ownerUID: nil, statuses: [], limit: 10).isEmpty)
        #expect(try await store.unfinished().map(\.runID) == ["r3", "r1", "r0"])
    }

    /// A commit rewrites a run's row only when it changed, and its status (and the status index) only when
    /// that changed: each change must still land, in this process and in one that opens the file afresh.
    @Test func aRunsRowChangesLandWhetherOrNotItsStatusChanged() async throws {
        let dir = try S.temporaryDirectory()
        var run = S.run("r1")
        do {
            let store = try SQLiteRunStore(stateDir: dir)
            try await store.insert(run)
            func commit(_ change: (inout RunSummary) -> Void) async throws {
                change(&run)
                var batch = StoreBatch()
                batch.save(run)
                try await store.commit(batch)
                #expect(try await store.summary(runID: "r1") == run)
            }
            try await commit {
                $0.status = .running
                $0.startedAt = Date(timeIntervalSince1970: 1_700_000_001)
            }
            try await commit { $0.steps[0].status = .running }  // the row as it was: steps only
            try await commit { $0.metrics = RunMetrics(inputTokens: 3, outputTokens: 5, totalTokens: 8, modelCalls: 1) }
            try await commit {
                $0.steps[0].status = .completed
                $0.content = "facts"
            }
            #expect(try await store.summaries(ownerUID: nil, statuses: [.running], limit: 10).map(\.runID) == ["r1"])
            try await commit { $0.status = .paused }
            #expect(try await store.summaries(ownerUID: nil, statuses: [.running], limit: 10).isEmpty)
            #expect(try await store.summaries(ownerUID: nil, statuses: [.paused], limit: 10).map(\.runID) == ["r1"])
        }
        // A new process knows nothing of what was stored: its first commit writes the whole row.
        let reopened = try SQLiteRunStore(stateDir: dir)
        run.status = .completed
        run.error = "none"
        var batch = StoreBatch()
        batch.save(run)
        try await reopened.commit(batch)
        #expect(try await reopened.summary(runID: "r1") == run)
        #expect(try await reopened.summaries(ownerUID: nil, statuses: [.completed], limit: 10).map(\.runID) == ["r1"])
    }

    @Test func retentionDeletesOldAndSurplusFinishedRunsNeverUnfinishedOnes() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // r0…r5 finished 6…1 days ago; "live" is still running and is older than all of them.
        try await store.insert(S.run("live", status: .running, created: now.addingTimeInterval(-30 * 86_400)))
        var batch = StoreBatch()
        for i in 0..<6 {
            var run = S.run("r\(i)")
            try await store.insert(run)
            run.status = .completed
            run.finishedAt = now.addingTimeInterval(-Double(6 - i) * 86_400)
            batch.save(run)
            batch.append("r\(i)", S.events(1...3, runID: "r\(i)"))
        }
        try await store.commit(batch)

        let byAge = RetentionPolicy(maxAge: 3.5 * 86_400, maxRuns: nil)
        #expect(try await byAge.apply(to: store, now: now) == 3)  // r0, r1, r2
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "r4", "r3", "live"])
        #expect(try await store.events(runID: "r0", afterSeq: 0, limit: 10).isEmpty)

        let byCount = RetentionPolicy(maxAge: nil, maxRuns: 1)
        #expect(try await byCount.apply(to: store, now: now) == 2)  // r3, r4
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "live"])
        #expect(try await byCount.apply(to: store, now: now) == 0)

        #expect(try await RetentionPolicy(maxAge: nil, maxRuns: nil).apply(to: store, now: now) == 0)
        #expect(try await store.removeFinished(finishedBefore: nil, keepNewest: 0) == 1)
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["live"])
    }

    @Test func unfinishedRunsEndErrorWithAFinalEventAfterTheirLastOne() async throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        var running = S.run("running", status: .running)
        try await store.insert(running)
        try await store.insert(S.run("pending"))
        var done = S.run("done")
        try await store.insert(done)
        running.steps[0].status = .running
        done.status = .completed
        var batch = StoreBatch()
        batch.append("running", S.events(1...3, runID: "running"))
        batch.save(running)
        batch.save(done)
        try await store.commit(batch)

        let recovered = try await RunRecovery().recover(store)
        #expect(Set(recovered.map(\.runID)) == ["running", "pending"])

        let reopened = try SQLiteRunStore(stateDir: dir)
        let r = try await #require(try reopened.summary(runID: "running"))
        #expect(r.status == .error)
        #expect(r.error == RunRecovery.interruptedRunning)
        #expect(r.lastSeq == 4)
        #expect(r.steps.map(\.status) == [.error, .pending])
        let events = try await reopened.events(runID: "running", afterSeq: 0, limit: 10)
        #expect(events.map(\.seq) == [1, 2, 3, 4])
        let final = try JSONValue.parse(events[3].json)
        #expect(final["event"]?.stringValue == "WorkflowError")
        #expect(final["error"]?.stringValue == RunRecovery.interruptedRunning)
        #expect(final["run_id"]?.stringValue == "running")

        let p = try await #require(try reopened.summary(runID: "pending"))
        #expect(p.status == .error)
        #expect(p.error == RunRecovery.interruptedPending)
        #expect(try await reopened.events(runID: "pending", afterSeq: 0, limit: 10).map(\.seq) == [1])
        #expect(try await reopened.summary(runID: "done")?.status == .completed)

        // Nothing is left to recover the second time.
        #expect(try await RunRecovery().recover(reopened).isEmpty)
    }

    @Test func theFileIsReadableByItsOwnerOnly() async throws {
        let dir = try S.temporaryDirectory() + "/state"
        let store = try SQLiteRunStore(stateDir: dir)
        try await store.insert(S.run("x"))
        let fileMode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(dirMode == 0o700)
    }

    @Test func aDatabaseFromANewerAgnodIsRefusedWithTheReason() throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        try store.pool.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')") }
        let error = try #require(throws: StoreError.self) { try SQLiteRunStore(stateDir: dir) }
        #expect(error.description.contains("newer agnod"))
        #expect(error.description.contains("v9: from the future"))
    }

    @Test func aFileThatIsNotADatabaseIsRefusedWithItsPath() throws {
        let dir = try S.temporaryDirectory()
        try Data("this is not sqlite".utf8).write(to: URL(fileURLWithPath: dir + "/agnod.sqlite"))
        let error = try #require(throws: StoreError.self) { try SQLiteRunStore(stateDir: dir) }
        #expect(error.description.contains(dir + "/agnod.sqlite"))
    }
}
