import AgnoCore
import AgnoProtocol
import AgnoStore
import Foundation
import Testing

/// A database written by the first schema (checked in as Fixtures/v1-store.sqlite) must open in every later
/// version with its runs and events intact: migrations are only ever added.
@Suite struct SchemaFixtureTests {
    typealias S = StoreTestSupport

    /// What the fixture holds; `writeFixture` made it with this code's first schema.
    static func fill(_ store: SQLiteRunStore) async throws {
        var completed = S.run("fixture-completed", uid: 1001)
        var interrupted = S.run("fixture-running", uid: 1002)
        try await store.insert(completed)
        try await store.insert(interrupted)
        completed.status = .completed
        completed.content = "an article"
        completed.startedAt = Date(timeIntervalSince1970: 1_700_000_001)
        completed.finishedAt = Date(timeIntervalSince1970: 1_700_000_002)
        completed.steps = completed.steps.map {
            var s = $0
            s.status = .completed
            s.content = "\(s.name) output"
            return s
        }
        interrupted.status = .running
        interrupted.startedAt = Date(timeIntervalSince1970: 1_700_000_003)
        interrupted.steps[0].status = .running
        var batch = StoreBatch()
        batch.append("fixture-completed", S.events(1...5, runID: "fixture-completed"))
        batch.append("fixture-running", S.events(1...2, runID: "fixture-running"))
        batch.save(completed)
        batch.save(interrupted)
        try await store.commit(batch)
    }

    /// Regenerates the fixture (only when asked: AGNOD_WRITE_STORE_FIXTURE=path). Never change the checked-in file.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AGNOD_WRITE_STORE_FIXTURE"] != nil))
    func writeFixture() async throws {
        let path = ProcessInfo.processInfo.environment["AGNOD_WRITE_STORE_FIXTURE"]!
        let store = try SQLiteRunStore(path: path)
        try await Self.fill(store)
        try store.checkpoint()
    }

    @Test func theFirstSchemasDatabaseOpensWithItsRunsAndEvents() async throws {
        let dir = try S.temporaryDirectory()
        let copy = dir + "/agnod.sqlite"
        try FileManager.default.copyItem(atPath: S.v1Fixture, toPath: copy)
        let store = try SQLiteRunStore(path: copy)

        let completed = try await #require(try store.summary(runID: "fixture-completed"))
        #expect(completed.status == .completed)
        #expect(completed.ownerUID == 1001)
        #expect(completed.content == "an article")
        #expect(completed.input == S.run("x").input.replacingOccurrences(of: "x", with: "fixture-completed"))
        #expect(completed.finishedAt == Date(timeIntervalSince1970: 1_700_000_002))
        #expect(completed.steps.map(\.content) == ["research output", "writing output"])
        // v4: steps of the first schema read as top-level agent steps; no position, no run data.
        #expect(
            completed.steps.map(\.path) == ["research", "writing"]
                && completed.steps.allSatisfy { $0.type == "Step" && $0.iteration == nil })
        #expect(completed.additionalData == nil)
        #expect(try await store.position(runID: "fixture-completed").isEmpty)
        #expect(completed.lastSeq == 5)
        #expect(try await store.events(runID: "fixture-completed", afterSeq: 0, limit: 100) == S.events(1...5, runID: "fixture-completed"))

        // Its interrupted run is recovered like any other.
        let recovered = try await RunRecovery().recover(store)
        #expect(recovered.map(\.runID) == ["fixture-running"])
        #expect(try await store.summary(runID: "fixture-running")?.lastSeq == 3)
        // v7: events of a later commit share a row; they read back after the first schema's one-event rows.
        var more = StoreBatch()
        more.append("fixture-running", S.events(4...9, runID: "fixture-running"))
        try await store.commit(more)
        #expect(try await store.summary(runID: "fixture-running")?.lastSeq == 9)
        #expect(try await store.events(runID: "fixture-running", afterSeq: 0, limit: 100).map(\.seq) == Array(1...9))
        #expect(
            try await store.events(runID: "fixture-running", afterSeq: 2, limit: 100).suffix(6)
                == S.events(4...9, runID: "fixture-running")[...])

        // And it takes new runs, with what later schemas added (v2: cancelled_by).
        try await store.insert(S.run("new"))
        var cancelled = S.run("new")
        cancelled.status = .cancelled
        cancelled.cancelledBy = "carol"
        var batch = StoreBatch()
        batch.save(cancelled)
        try await store.commit(batch)
        #expect(try await store.summary(runID: "new")?.cancelledBy == "carol")
        #expect(completed.cancelledBy == nil)
        #expect(
            try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == [
                "new", "fixture-running", "fixture-completed",
            ])

        // v4: a step tree, the run's data and its position.
        var nested = S.run("nested")
        nested.additionalData = .object([("k", "v")])
        nested.steps = [
            StepSummary(name: "loop", index: 0, status: .running, path: "loop", type: "Loop", iteration: 2),
            StepSummary(name: "draft", index: 1, status: .completed, content: "d2", path: "loop/draft", iteration: 2, attempt: 3),
        ]
        try await store.insert(nested)
        var progress = StoreBatch()
        progress.append("nested", S.events(1...2, runID: "nested"))
        progress.append(
            "nested",
            nodeResults: [
                NodeResult(seq: 1, path: "loop[1]/draft", index: 1, succeeded: true, output: "d1"),
                NodeResult(seq: 2, path: "loop[2]/draft", index: 1, succeeded: false, output: "d1"),
            ])
        progress.save(nested)
        try await store.commit(progress)
        let read = try await #require(try store.summary(runID: "nested"))
        #expect(read.steps == nested.steps)
        #expect(read.additionalData == .object([("k", "v")]))
        #expect(try await store.position(runID: "nested").map(\.path) == ["loop[1]/draft", "loop[2]/draft"])
        #expect(try await store.position(runID: "nested").last?.succeeded == false)
    }
}
