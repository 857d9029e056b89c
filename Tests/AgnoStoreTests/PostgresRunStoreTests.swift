import AgnoCore
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@testable import AgnoPostgres

/// The PostgreSQL store against a real PostgreSQL 15 (initdb in a temp dir): what goes in comes back, the
/// same rules as SQLite's, migrations from a fresh database and from the previous version, and errors that
/// name the server and never the password.
@Suite(.enabled(if: TestPostgres.isAvailable, "needs PostgreSQL 15 (apt-get install postgresql)"))
struct PostgresRunStoreTests {
    typealias S = StoreTestSupport

    static func configuration(_ server: TestPostgres, database: String, host: String = "host-a") throws -> PostgresStoreConfiguration {
        var configuration = try PostgresStoreConfiguration(url: server.url(database), password: server.password)
        configuration.hostID = host
        return configuration
    }

    static func open(host: String = "host-a") async throws -> (PostgresRunStore, TestPostgres, String) {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        return (try await PostgresRunStore.open(try configuration(server, database: database, host: host)), server, database)
    }

    @Test func aRunItsStepsAndEventsComeBackAsStored() async throws {
        let (store, server, database) = try await Self.open()
        defer { Task { await store.close() } }
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
        batch.append("r1", nodeResults: [NodeResult(seq: 3, path: "research", index: 0, succeeded: true, output: "facts")])
        batch.save(run)
        try await store.commit(batch)

        run.lastSeq = 5
        #expect(try await store.summary(runID: "r1") == run)
        #expect(try await store.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
        #expect(try await store.events(runID: "r1", afterSeq: 2, limit: 2) == S.events(3...4, runID: "r1"))
        #expect(try await store.events(runID: "r1", afterSeq: 5, limit: 100).isEmpty)
        #expect(try await store.events(runID: "nope", afterSeq: 0, limit: 100).isEmpty)
        #expect(try await store.position(runID: "r1") == [NodeResult(seq: 3, path: "research", index: 0, succeeded: true, output: "facts")])
        #expect(try await store.summary(runID: "nope") == nil)

        // Another process (another host) opening the same database sees the same.
        let other = try await PostgresRunStore.open(try Self.configuration(server, database: database, host: "host-b"))
        defer { Task { await other.close() } }
        #expect(try await other.summary(runID: "r1") == run)
        #expect(try await other.events(runID: "r1", afterSeq: 0, limit: 100) == S.events(1...5, runID: "r1"))
    }

    @Test func toolCallsKeepTheirWholeResultAndGoWithTheirRun() async throws {
        let (store, _, _) = try await Self.open()
        defer { Task { await store.close() } }
        try await store.insert(S.run("t1"))
        try await store.insert(S.run("t2"))
        let big = String(repeating: "0123456789abcdef", count: 64 * 1024)
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
        #expect(try await store.toolCalls(runID: "t1", afterSeq: 3, limit: 10, toolCallID: nil) == [calls[1]])
        #expect(try await store.toolCalls(runID: "t1", afterSeq: 0, limit: 10, toolCallID: "call_2") == [calls[1]])
        #expect(try await store.remove(runID: "t1"))
        #expect(try await store.toolCalls(runID: "t1").isEmpty)
        #expect(try await store.toolCalls(runID: "t2").count == 1)
    }

    @Test func aCommitRepeatedAfterALostReplyStoresEverythingOnce() async throws {
        let (store, _, _) = try await Self.open()
        defer { Task { await store.close() } }
        try await store.insert(S.run("a"))
        var batch = StoreBatch()
        batch.append("a", S.events(1...3, runID: "a"))
        try await store.commit(batch)
        try await store.commit(batch)  // as the retry after a commit whose reply was lost
        #expect(try await store.events(runID: "a", afterSeq: 0, limit: 10) == S.events(1...3, runID: "a"))
    }

    /// Fencing: once another host has taken a run over (its `host` changed), what this host still commits of it
    /// is refused whole, and nothing of it lands after the other host's writes.
    @Test func aCommitOfARunAnotherHostTookOverIsRefusedWhole() async throws {
        let (store, server, database) = try await Self.open(host: "host-a")
        defer { Task { await store.close() } }
        try await store.insert(S.run("mine"))
        try await store.insert(S.run("taken"))
        var first = StoreBatch()
        first.append("taken", S.events(1...2, runID: "taken"))
        try await store.commit(first)
        try server.sql("UPDATE runs SET host = 'host-b' WHERE run_id = 'taken'", database: database)

        var late = StoreBatch()
        late.append("taken", S.events(3...4, runID: "taken"))
        late.append("mine", S.events(1...1, runID: "mine"))
        var ended = S.run("taken", status: .cancelled)
        ended.lastSeq = 4
        late.save(ended)
        let error = await #expect(throws: PostgresStoreError.self) { try await store.commit(late) }
        #expect(error?.description.contains("taken over by host host-b") == true, "\(String(describing: error))")
        #expect(try await store.events(runID: "taken", afterSeq: 0, limit: 10) == S.events(1...2, runID: "taken"))
        #expect(try await store.summary(runID: "taken")?.status == .pending)
        #expect(try await store.events(runID: "mine", afterSeq: 0, limit: 10).isEmpty)  // the whole commit, not a part

        var mine = StoreBatch()
        mine.append("mine", S.events(1...1, runID: "mine"))
        try await store.commit(mine)
        #expect(try await store.events(runID: "mine", afterSeq: 0, limit: 10) == S.events(1...1, runID: "mine"))
    }

    @Test func eventsOfARemovedRunAreDroppedAndListingFilters() async throws {
        let (store, _, _) = try await Self.open()
        defer { Task { await store.close() } }
        try await store.insert(S.run("gone"))
        #expect(try await store.remove(runID: "gone"))
        #expect(try await !store.remove(runID: "gone"))
        var dropped = StoreBatch()
        dropped.append("gone", S.events(1...2, runID: "gone"))
        try await store.commit(dropped)
        #expect(try await store.summary(runID: "gone") == nil)

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

    @Test func retentionDeletesOldAndSurplusFinishedRunsNeverUnfinishedOnes() async throws {
        let (store, _, _) = try await Self.open()
        defer { Task { await store.close() } }
        let now = Date(timeIntervalSince1970: 1_800_000_000)
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
        #expect(try await RetentionPolicy(maxAge: 3.5 * 86_400, maxRuns: nil).apply(to: store, now: now) == 3)
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "r4", "r3", "live"])
        #expect(try await store.events(runID: "r0", afterSeq: 0, limit: 10).isEmpty)
        #expect(try await RetentionPolicy(maxAge: nil, maxRuns: 1).apply(to: store, now: now) == 2)
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["r5", "live"])
        #expect(try await store.removeFinished(finishedBefore: nil, keepNewest: 0) == 1)
        #expect(try await store.summaries(ownerUID: nil, statuses: nil, limit: 10).map(\.runID) == ["live"])
    }

    @Test func eachHostRecoversOnlyItsOwnUnfinishedRuns() async throws {
        let (a, server, database) = try await Self.open(host: "host-a")
        defer { Task { await a.close() } }
        let b = try await PostgresRunStore.open(try Self.configuration(server, database: database, host: "host-b"))
        defer { Task { await b.close() } }
        try await a.insert(S.run("on-a", status: .running))
        try await b.insert(S.run("on-b", status: .running))
        #expect(try await a.unfinished().map(\.runID) == ["on-a"])
        let ended = try await RunRecovery().recover(b)
        #expect(ended.map(\.runID) == ["on-b"])
        #expect(try await a.summary(runID: "on-a")?.status == .running)
        let final = try await b.events(runID: "on-b", afterSeq: 0, limit: 10)
        #expect(try JSONValue.parse(#require(final.last).json)["error"]?.stringValue == RunRecovery.interruptedRunning)
    }

    @Test func migrationsApplyToAFreshDatabaseAndToThePreviousVersion() async throws {
        let server = try TestPostgres.shared()
        let fresh = try server.createDatabase()
        let store = try await PostgresRunStore.open(try Self.configuration(server, database: fresh))
        await store.close()
        let names = try server.sql("SELECT name FROM schema_migrations ORDER BY name", database: fresh)
        #expect(names.split(separator: "\n").map(String.init) == PostgresSchema.migrations.map(\.name).sorted())

        // A database of every earlier version (v1 … the one before this) with a run in it opens in this one; the
        // run keeps everything and a start-up takes it as its own to recover.
        for version in 1..<PostgresSchema.migrations.count {
            let old = try server.createDatabase()
            let previous = try await PostgresRunStore.open(
                try Self.configuration(server, database: old), migrations: Array(PostgresSchema.migrations.prefix(version)))
            try await previous.insertWithoutHost(S.run("old-run", status: .running))
            await previous.close()
            #expect(try server.sql("SELECT count(*) FROM schema_migrations", database: old) == "\(version)\n")
            let upgraded = try await PostgresRunStore.open(try Self.configuration(server, database: old, host: "new-host"))
            #expect(try await upgraded.summary(runID: "old-run")?.input == S.run("old-run").input, "from v\(version)")
            #expect(try await upgraded.unfinished().map(\.runID) == ["old-run"], "from v\(version)")
            #expect(try server.sql("SELECT host FROM runs WHERE run_id = 'old-run'", database: old) == "new-host\n")
            await upgraded.close()

            // Opening again applies nothing twice.
            let again = try await PostgresRunStore.open(try Self.configuration(server, database: old))
            await again.close()
            #expect(try server.sql("SELECT count(*) FROM schema_migrations", database: old) == "\(PostgresSchema.migrations.count)\n")
        }
    }

    @Test func aDatabaseFromANewerAgnodIsRefusedWithTheMigrationsName() async throws {
        let server = try TestPostgres.shared()
        let database = try server.createDatabase()
        await (try await PostgresRunStore.open(try Self.configuration(server, database: database))).close()
        try server.sql("INSERT INTO schema_migrations VALUES ('v99: from the future', 0)", database: database)
        let error = await #expect(throws: PostgresStoreError.self) {
            try await PostgresRunStore.open(try Self.configuration(server, database: database))
        }
        #expect(error?.description.contains("v99: from the future") == true)
        #expect(error?.description.contains("newer agnod") == true)
    }

    @Test func anUnreachableServerIsNamedByHostAndPortAndNoPasswordIsEverShown() async throws {
        let server = try TestPostgres.shared()
        let port = try TestPostgres.freePort()
        var configuration = try PostgresStoreConfiguration(url: "postgres://agnod@127.0.0.1:\(port)/x", password: "s3cret-pw")
        configuration.connectTimeout = .seconds(2)
        let error = await #expect(throws: PostgresStoreError.self) { try await PostgresRunStore.open(configuration) }
        #expect(error?.description.contains("cannot connect to 127.0.0.1:\(port)") == true)
        #expect(error?.description.contains("s3cret-pw") == false)
        #expect(!configuration.description.contains("s3cret-pw"))

        let database = try server.createDatabase()
        let wrong = try PostgresStoreConfiguration(url: server.url(database), password: "not-the-password")
        let refused = await #expect(throws: PostgresStoreError.self) { try await PostgresRunStore.open(wrong) }
        #expect(refused?.description.contains("password authentication failed") == true)
        #expect(refused?.description.contains("not-the-password") == false)
    }

    @Test func theURLMustNotHoldAPasswordAndMustNameUserHostAndDatabase() throws {
        #expect(throws: PostgresURLError.self) { try PostgresStoreConfiguration(url: "postgres://u:pw@h/db", password: nil) }
        #expect(throws: PostgresURLError.self) { try PostgresStoreConfiguration(url: "postgres://h/db", password: nil) }
        #expect(throws: PostgresURLError.self) { try PostgresStoreConfiguration(url: "postgres://u@h", password: nil) }
        #expect(throws: PostgresURLError.self) { try PostgresStoreConfiguration(url: "mysql://u@h/db", password: nil) }
        let c = try PostgresStoreConfiguration(url: "postgresql://agnod@db.example:6432/runs", password: "x")
        #expect(c.address == "db.example:6432")
        #expect(c.description == "postgres://agnod@db.example:6432/runs")
    }
}
