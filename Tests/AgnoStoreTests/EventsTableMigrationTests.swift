import AgnoCore
import Foundation
import GRDB
import Testing

@testable import AgnoStore

/// v8 moves the events into a rowid table (a WITHOUT ROWID row of a few hundred events was read in full at
/// each step of a seek): a store written by v7, with rows of one event and rows of many, opens with every event
/// intact, in the new table, and deleting a run still deletes its events.
@Suite struct EventsTableMigrationTests {
    typealias S = StoreTestSupport

    @Test func aV7StoresEventsMoveToTheRowidTableIntact() async throws {
        let dir = try S.temporaryDirectory()
        let path = dir + "/agnod.sqlite"
        try FileManager.default.copyItem(atPath: S.v1Fixture, toPath: path)
        // The first schema's database brought to v7, then a multi-event row of 295 events as v7 wrote them.
        let many = EventRows.rows(S.events(6...300, runID: "fixture-completed"))
        #expect(many.count == 2 && many[0].last == 261)
        do {
            let queue = try DatabaseQueue(path: path)
            try StoreSchema.migrator.migrate(queue, upTo: "v7: several events per row")
            try await queue.write { db in
                #expect(try Self.eventsTableSQL(db).contains("WITHOUT ROWID"))
                for row in many {
                    try db.execute(
                        sql:
                            "INSERT INTO events (run, seq, json, last_seq) SELECT id, ?, ?, ? FROM runs WHERE run_id = 'fixture-completed'",
                        arguments: [row.first, Data(row.json), row.last])
                }
            }
        }

        let store = try SQLiteRunStore(path: path)
        let all = S.events(1...300, runID: "fixture-completed")
        #expect(try await store.events(runID: "fixture-completed", afterSeq: 0, limit: 1000) == all)
        #expect(try await store.events(runID: "fixture-completed", afterSeq: 260, limit: 3) == Array(all[260..<263]))
        #expect(try await store.summary(runID: "fixture-completed")?.lastSeq == 300)
        #expect(try await store.events(runID: "fixture-running", afterSeq: 0, limit: 100) == S.events(1...2, runID: "fixture-running"))

        let queue = try DatabaseQueue(path: path)
        let sql = try await queue.read { try Self.eventsTableSQL($0) }
        #expect(!sql.contains("WITHOUT ROWID") && sql.contains("PRIMARY KEY (run, seq)") && sql.contains("ON DELETE CASCADE"))
        // The key's own index (the rename keeps the name it got with the table it was made for).
        let indexes = try await queue.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
        }
        #expect(indexes == 1)

        // New commits land in it, and a removed run takes its events along.
        var more = StoreBatch()
        more.append("fixture-running", S.events(3...400, runID: "fixture-running"))
        try await store.commit(more)
        #expect(try await store.events(runID: "fixture-running", afterSeq: 0, limit: 1000) == S.events(1...400, runID: "fixture-running"))
        #expect(try await store.remove(runID: "fixture-completed"))
        let left = try await queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE run NOT IN (SELECT id FROM runs)") }
        #expect(left == 0)
        #expect(try await store.events(runID: "fixture-completed", afterSeq: 0, limit: 10).isEmpty)
    }

    static func eventsTableSQL(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'") ?? ""
    }
}
