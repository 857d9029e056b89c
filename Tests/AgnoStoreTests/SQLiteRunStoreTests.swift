import AgnoCore
import AgnoProtocol
@testable import AgnoStore
import GRDB
import Foundation
import Testing

/// The SQLite store on its own: what goes in comes back, across reopening, and deletion rules hold.
@Suite struct SQLiteRunStoreTests {
    typealias S = StoreTestSupport

    @Test func aRunItsStepsAndEventsComeBackAsStored() throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        var run = S.run("r1")
        try store.insert(run)
        #expect(try store.summary(runID: "r1") == run)

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
        try store.commit(batch)

        run.lastSeq = 5
        #expect(try store.summary(runID: "r1") == run)
        #expect(try store.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
        #expect(try store.events(runID: "r1", afterSeq: 2, limit: 2) == S.events(3...4, runID: "r1"))
        #expect(try store.events(runID: "r1", afterSeq: 5, limit: 100).isEmpty)
        #expect(try store.events(runID: "nope", afterSeq: 0, limit: 100).isEmpty)

        // A new process opening the same file sees the same.
        let reopened = try SQLiteRunStore(stateDir: dir)
        #expect(try reopened.summary(runID: "r1") == run)
        #expect(try reopened.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
    }

    @Test func toolCallsKeepTheirWholeResultAcrossReopeningAndGoWithTheirRun() throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        try store.insert(S.run("t1"))
        try store.insert(S.run("t2"))
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
        try store.commit(batch)
        #expect(try store.toolCalls(runID: "t1") == calls)
        #expect(try SQLiteRunStore(stateDir: dir).toolCalls(runID: "t1") == calls)
        #expect(try store.toolCalls(runID: "nope").isEmpty)

        // The same seq twice violates the key: the whole batch (its events too) is refused.
        var again = StoreBatch()
        again.append("t1", S.events(6...6, runID: "t1"))
        again.append("t1", toolCalls: [calls[1]])
        #expect(throws: (any Error).self) { try store.commit(again) }
        #expect(try store.events(runID: "t1", afterSeq: 5, limit: 10).isEmpty)

        func stored() throws -> Int { try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM tool_calls") ?? -1 } }
        #expect(try stored() == 3)
        #expect(try store.remove(runID: "t1"))
        #expect(try stored() == 1)
        #expect(try store.toolCalls(runID: "t2").count == 1)
        var finished = S.run("t2")
        finished.status = .completed
        var end = StoreBatch()
        end.save(finished)
        try store.commit(end)
        #expect(try store.removeFinished(finishedBefore: nil, keepNewest: 0) == 1)
        #expect(try stored() == 0)
    }

    @Test func aCommitIsAllOrNothing() throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try store.insert(S.run("a"))
        try store.insert(S.run("b"))
        var first = StoreBatch()
        first.append("a", S.events(1...2, runID: "a"))
        try store.commit(first)
        // seq 2 of "a" again violates the key: nothing of this batch, not even "b"'s events, may stay.
        var bad = StoreBatch()
        bad.append("b", S.events(1...3, runID: "b"))
        bad.append("a", S.events(2...3, runID: "a"))
        #expect(throws: (any Error).self) { try store.commit(bad) }
        #expect(try store.events(runID: "b", afterSeq: 0, limit: 10).isEmpty)
        #expect(try store.events(runID: "a", afterSeq: 0, limit: 10) == S.events(1...2, runID: "a"))
    }

    @Test func eventsOfARemovedRunAreDroppedNotFailed() throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try store.insert(S.run("gone"))
        try store.insert(S.run("kept"))
        #expect(try store.remove(runID: "gone"))
        #expect(try !store.remove(runID: "gone"))
        var batch = StoreBatch()
        batch.append("gone", S.events(1...2, runID: "gone"))
        batch.append("kept", S.events(1...2, runID: "kept"))
        try store.commit(batch)
        #expect(try store.summary(runID: "gone") == nil)
        #expect(try store.events(runID: "kept", afterSeq: 0, limit: 10).count == 2)
    }

    @Test func listingFiltersByOwnerAndStatusNewestFirst() throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        for (i, uid) in [1001, 1002, 1001, 1001].enumerated() {
            try store.insert(S.run("r\(i)", uid: UInt32(uid)))
        }
        var batch = StoreBatch()
        var done = S.run("r2", uid: 1001, status: .completed)
        done.finishedAt = Date()
        batch.save(done)
        try store.commit(batch)
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r3", "r2", "r1", "r0"])
        #expect(try store.summaries(ownerUID: 1001, statuses: nil, limit: 10).map(\.runID) == ["r3", "r2", "r0"])
        #expect(try store.summaries(ownerUID: 1001, statuses: [.pending], limit: 10).map(\.runID) == ["r3", "r0"])
        #expect(try store.summaries(ownerUID: nil, statuses: [.completed, .error], limit: 10).map(\.runID) == ["r2"])
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 2).map(\.runID) == ["r3", "r2"])
        #expect(try store.summaries(ownerUID: nil, statuses: [], limit: 10).isEmpty)
        #expect(try store.unfinished().map(\.runID) == ["r3", "r1", "r0"])
    }

    @Test func retentionDeletesOldAndSurplusFinishedRunsNeverUnfinishedOnes() throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        // r0…r5 finished 6…1 days ago; "live" is still running and is older than all of them.
        try store.insert(S.run("live", status: .running, created: now.addingTimeInterval(-30 * 86_400)))
        var batch = StoreBatch()
        for i in 0..<6 {
            var run = S.run("r\(i)")
            try store.insert(run)
            run.status = .completed
            run.finishedAt = now.addingTimeInterval(-Double(6 - i) * 86_400)
            batch.save(run)
            batch.append("r\(i)", S.events(1...3, runID: "r\(i)"))
        }
        try store.commit(batch)

        let byAge = RetentionPolicy(maxAge: 3.5 * 86_400, maxRuns: nil)
        #expect(try byAge.apply(to: store, now: now) == 3)  // r0, r1, r2
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "r4", "r3", "live"])
        #expect(try store.events(runID: "r0", afterSeq: 0, limit: 10).isEmpty)

        let byCount = RetentionPolicy(maxAge: nil, maxRuns: 1)
        #expect(try byCount.apply(to: store, now: now) == 2)  // r3, r4
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "live"])
        #expect(try byCount.apply(to: store, now: now) == 0)

        #expect(try RetentionPolicy(maxAge: nil, maxRuns: nil).apply(to: store, now: now) == 0)
        #expect(try store.removeFinished(finishedBefore: nil, keepNewest: 0) == 1)
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["live"])
    }

    @Test func unfinishedRunsEndErrorWithAFinalEventAfterTheirLastOne() throws {
        let dir = try S.temporaryDirectory()
        let store = try SQLiteRunStore(stateDir: dir)
        var running = S.run("running", status: .running)
        try store.insert(running)
        try store.insert(S.run("pending"))
        var done = S.run("done")
        try store.insert(done)
        running.steps[0].status = .running
        done.status = .completed
        var batch = StoreBatch()
        batch.append("running", S.events(1...3, runID: "running"))
        batch.save(running)
        batch.save(done)
        try store.commit(batch)

        let recovered = try RunRecovery().recover(store)
        #expect(Set(recovered.map(\.runID)) == ["running", "pending"])

        let reopened = try SQLiteRunStore(stateDir: dir)
        let r = try #require(try reopened.summary(runID: "running"))
        #expect(r.status == .error)
        #expect(r.error == RunRecovery.interruptedRunning)
        #expect(r.lastSeq == 4)
        #expect(r.steps.map(\.status) == [.error, .pending])
        let events = try reopened.events(runID: "running", afterSeq: 0, limit: 10)
        #expect(events.map(\.seq) == [1, 2, 3, 4])
        let final = try JSONValue.parse(events[3].json)
        #expect(final["event"]?.stringValue == "WorkflowError")
        #expect(final["error"]?.stringValue == RunRecovery.interruptedRunning)
        #expect(final["run_id"]?.stringValue == "running")

        let p = try #require(try reopened.summary(runID: "pending"))
        #expect(p.status == .error)
        #expect(p.error == RunRecovery.interruptedPending)
        #expect(try reopened.events(runID: "pending", afterSeq: 0, limit: 10).map(\.seq) == [1])
        #expect(try reopened.summary(runID: "done")?.status == .completed)

        // Nothing is left to recover the second time.
        #expect(try RunRecovery().recover(reopened).isEmpty)
    }

    @Test func theFileIsReadableByItsOwnerOnly() throws {
        let dir = try S.temporaryDirectory() + "/state"
        let store = try SQLiteRunStore(stateDir: dir)
        try store.insert(S.run("x"))
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
