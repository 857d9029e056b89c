import AgnoCore
import AgnoProtocol
import Testing

@testable import AgnoStore

/// Reads go through pages of stored events shared by all readers: any window reads exactly what is
/// stored, full pages are read from SQLite once, and nothing stale is served after appends or deletes.
@Suite struct EventPageCacheTests {
    typealias S = StoreTestSupport

    private func store(events count: Int, runID: String = "r") async throws -> SQLiteRunStore {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run(runID))
        var batch = StoreBatch()
        batch.append(runID, S.events(1...count, runID: runID))
        try await store.commit(batch)
        return store
    }

    @Test func anyWindowReadsExactlyTheStoredEvents() async throws {
        let size = EventPageCache().pageSize
        let total = size * 2 + size / 3
        let store = try await store(events: total)
        let windows = [
            (0, total + 10), (0, 1), (size - 1, 2), (size, size), (size - 5, 10), (2 * size + 7, 100), (total - 1, 5), (total, 5),
            (7, 2 * size + 3),
        ]
        for (afterSeq, limit) in windows {
            let expected = afterSeq >= total ? [] : S.events((afterSeq + 1)...min(total, afterSeq + limit), runID: "r")
            #expect(try await store.events(runID: "r", afterSeq: afterSeq, limit: limit) == expected, "after \(afterSeq), limit \(limit)")
        }
    }

    @Test func fullPagesAreReadFromSQLiteOnceForManyReaders() async throws {
        let size = EventPageCache().pageSize
        let store = try await store(events: size * 2 + 1)
        _ = try await store.events(runID: "r", afterSeq: 0, limit: size * 3)
        let afterFirst = store.pageCacheStatistics
        #expect(afterFirst.misses == 3)  // two full pages and the short last one
        #expect(afterFirst.bytes == 0)  // one reader alone fills nothing
        _ = try await store.events(runID: "r", afterSeq: 0, limit: size * 3)  // a second reader: the full pages are kept
        #expect(store.pageCacheStatistics.bytes > 0)
        for _ in 0..<10 { _ = try await store.events(runID: "r", afterSeq: 0, limit: size * 3) }
        let afterMore = store.pageCacheStatistics
        #expect(afterMore.hits - afterFirst.hits == 20)  // the two full pages, ten times
        #expect(afterMore.misses - afterFirst.misses == 3 + 10)  // the second read; the short page each time
    }

    @Test func aShortPageIsNeverServedStaleAfterMoreEventsAreStored() async throws {
        let size = EventPageCache().pageSize
        let store = try await store(events: size + 3)
        #expect(try await store.events(runID: "r", afterSeq: size, limit: 100).count == 3)
        var batch = StoreBatch()
        batch.append("r", S.events((size + 4)...(2 * size + 10), runID: "r"))
        try await store.commit(batch)
        #expect(try await store.events(runID: "r", afterSeq: size, limit: 2 * size) == S.events((size + 1)...(2 * size + 10), runID: "r"))
    }

    @Test func aRemovedRunsPagesAreDropped() async throws {
        let size = EventPageCache().pageSize
        let store = try await store(events: size * 2)
        _ = try await store.events(runID: "r", afterSeq: 0, limit: size * 2)
        _ = try await store.events(runID: "r", afterSeq: 0, limit: size * 2)
        #expect(store.pageCacheStatistics.bytes > 0)
        #expect(try await store.remove(runID: "r"))
        #expect(store.pageCacheStatistics.bytes == 0)
        // The same id stored again with other events reads the new ones.
        try await store.insert(S.run("r"))
        var batch = StoreBatch()
        let other = (1...size).map { EncodedEvent(seq: $0, json: Array(#"{"event":"Other","n":\#($0)}"#.utf8)) }
        batch.append("r", other)
        try await store.commit(batch)
        #expect(try await store.events(runID: "r", afterSeq: 0, limit: size * 2) == other)
    }

    @Test func theCacheStaysWithinItsBudget() {
        let cache = EventPageCache(pageSize: 4, budget: 4_000)
        let page = EventBlock((1...4).map { EncodedEvent(seq: $0, json: [UInt8](repeating: UInt8(ascii: "x"), count: 200)) })
        for n in 0..<100 {
            cache.put(.init(run: "r\(n)", page: 0), page)
            cache.put(.init(run: "r\(n)", page: 0), page)  // (kept from its second read)
        }
        #expect(cache.statistics.bytes <= 4_000)
        #expect(cache.get(.init(run: "r99", page: 0)) == page)  // the newest stays
        #expect(cache.get(.init(run: "r0", page: 0)) == nil)  // the oldest went
    }
}
