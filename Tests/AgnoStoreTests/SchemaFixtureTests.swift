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
    static func fill(_ store: SQLiteRunStore) throws {
        var completed = S.run("fixture-completed", uid: 1001)
        var interrupted = S.run("fixture-running", uid: 1002)
        try store.insert(completed)
        try store.insert(interrupted)
        completed.status = .completed
        completed.content = "an article"
        completed.startedAt = Date(timeIntervalSince1970: 1_700_000_001)
        completed.finishedAt = Date(timeIntervalSince1970: 1_700_000_002)
        completed.steps = completed.steps.map { var s = $0; s.status = .completed; s.content = "\(s.name) output"; return s }
        interrupted.status = .running
        interrupted.startedAt = Date(timeIntervalSince1970: 1_700_000_003)
        interrupted.steps[0].status = .running
        var batch = StoreBatch()
        batch.append("fixture-completed", S.events(1...5, runID: "fixture-completed"))
        batch.append("fixture-running", S.events(1...2, runID: "fixture-running"))
        batch.save(completed)
        batch.save(interrupted)
        try store.commit(batch)
    }

    /// Regenerates the fixture (only when asked: AGNOD_WRITE_STORE_FIXTURE=path). Never change the checked-in file.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["AGNOD_WRITE_STORE_FIXTURE"] != nil))
    func writeFixture() throws {
        let path = ProcessInfo.processInfo.environment["AGNOD_WRITE_STORE_FIXTURE"]!
        let store = try SQLiteRunStore(path: path)
        try Self.fill(store)
        try store.checkpoint()
    }

    @Test func theFirstSchemasDatabaseOpensWithItsRunsAndEvents() throws {
        let dir = try S.temporaryDirectory()
        let copy = dir + "/agnod.sqlite"
        try FileManager.default.copyItem(atPath: S.v1Fixture, toPath: copy)
        let store = try SQLiteRunStore(path: copy)

        let completed = try #require(try store.summary(runID: "fixture-completed"))
        #expect(completed.status == .completed)
        #expect(completed.ownerUID == 1001)
        #expect(completed.content == "an article")
        #expect(completed.input == S.run("x").input.replacingOccurrences(of: "x", with: "fixture-completed"))
        #expect(completed.finishedAt == Date(timeIntervalSince1970: 1_700_000_002))
        #expect(completed.steps.map(\.content) == ["research output", "writing output"])
        #expect(completed.lastSeq == 5)
        #expect(try store.events(runID: "fixture-completed", afterSeq: 0, limit: 100) == S.events(1...5, runID: "fixture-completed"))

        // Its interrupted run is recovered like any other.
        let recovered = try RunRecovery().recover(store)
        #expect(recovered.map(\.runID) == ["fixture-running"])
        #expect(try store.summary(runID: "fixture-running")?.lastSeq == 3)

        // And it takes new runs, with what later schemas added (v2: cancelled_by).
        try store.insert(S.run("new"))
        var cancelled = S.run("new")
        cancelled.status = .cancelled
        cancelled.cancelledBy = "carol"
        var batch = StoreBatch()
        batch.save(cancelled)
        try store.commit(batch)
        #expect(try store.summary(runID: "new")?.cancelledBy == "carol")
        #expect(completed.cancelledBy == nil)
        #expect(try store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["new", "fixture-running", "fixture-completed"])
    }
}
