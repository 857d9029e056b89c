import AgnoCore
import AgnoProtocol
import Testing

@testable import AgnoStore

/// A commit's consecutive events of a run share a row: they read back exactly, from any seq, through pages that
/// start in the middle of a row; the run's last seq is its last row's; a row that does not hold what its seqs
/// say is an error, never other events.
@Suite struct EventRowsTests {
    typealias S = StoreTestSupport

    @Test func rowsHoldRunsOfConsecutiveSeqsUpToTheCap() {
        let cap = EventRows.perRow
        let events =
            S.events(1...(2 * cap + 88), runID: "r") + S.events((2 * cap + 90)...(2 * cap + 91), runID: "r")
            + S.events((2 * cap + 93)...(2 * cap + 93), runID: "r")
        let rows = EventRows.rows(events)
        #expect(rows.map(\.first) == [1, cap + 1, 2 * cap + 1, 2 * cap + 90, 2 * cap + 93])
        #expect(rows.map(\.last) == [cap, 2 * cap, 2 * cap + 88, 2 * cap + 91, nil])
        #expect(rows[3].json == events[2 * cap + 88].json + [UInt8(ascii: "\n")] + events[2 * cap + 89].json)
        #expect(rows[4].json == events.last!.json)
    }

    @Test(arguments: [1...100, 1...1, 100...100, 37...64, 90...200, 0...0, 101...200])
    func aRowReadsBackTheSeqsAskedFor(seqs: ClosedRange<Int>) throws {
        let events = S.events(1...100, runID: "r")
        let row = EventRows.rows(events)[0]
        var read = EventBlock()
        try row.json.withUnsafeBytes { try EventRows.append(first: row.first, last: row.last, json: $0, in: seqs, to: &read) }
        #expect(read.events == events.filter { seqs.contains($0.seq) })
    }

    @Test(arguments: [(5, 9), (5, 7), (5, 6), (5, 5), (5, 5 + EventRows.perRow)])
    func aRowThatDoesNotHoldItsSeqsIsAnError(first: Int, last: Int) {
        let json = EventRows.rows(S.events(5...8, runID: "r"))[0].json  // four events
        var read = EventBlock()
        #expect(throws: EventRows.Malformed.self) {
            try json.withUnsafeBytes { try EventRows.append(first: first, last: last, json: $0, in: 1...100, to: &read) }
        }
    }

    /// The widest row that reaches into a page from before it: 256 events, the last of them the page's first.
    @Test func aFullRowEndingOnThePagesFirstSeqIsRead() async throws {
        let size = EventPageCache().pageSize
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("r"))
        let start = size + 1 - EventRows.perRow + 1
        for range in [1...(start - 1), start...(size + 1), (size + 2)...(size + 20)] {
            var batch = StoreBatch()
            batch.append("r", S.events(range, runID: "r"))
            try await store.commit(batch)
        }
        #expect(try await store.events(runID: "r", afterSeq: size, limit: 5) == S.events((size + 1)...(size + 5), runID: "r"))
        #expect(try await store.events(runID: "r", afterSeq: start - 2, limit: 3) == S.events((start - 1)...(start + 1), runID: "r"))
    }

    /// A refused commit leaves what the store knows of the run as it was: the next event is taken.
    @Test func afterARefusedCommitTheNextEventIsStored() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("r"))
        var first = StoreBatch()
        first.append("r", S.events(1...5, runID: "r"))
        try await store.commit(first)
        var bad = StoreBatch()
        bad.append("r", S.events(6...9, runID: "r") + S.events(8...8, runID: "r"))  // out of order within the batch
        await #expect(throws: (any Error).self) { try await store.commit(bad) }
        var next = StoreBatch()
        next.append("r", S.events(6...7, runID: "r"))
        try await store.commit(next)
        #expect(try await store.events(runID: "r", afterSeq: 0, limit: 100) == S.events(1...7, runID: "r"))
        #expect(try await store.summary(runID: "r")?.lastSeq == 7)
    }

    @Test func batchesOfAnySizeReadBackFromAnySeq() async throws {
        let store = try SQLiteRunStore(stateDir: try S.temporaryDirectory())
        try await store.insert(S.run("r"))
        try await store.insert(S.run("other"))
        var (seq, others) = (0, 0)
        for size in [1, 7, 300, 1, 511, 2, 700, 3, 256, 257] {
            var batch = StoreBatch()
            batch.append("r", S.events((seq + 1)...(seq + size), runID: "r"))
            batch.append("other", S.events((others + 1)...(others + 1), runID: "other"))
            others += 1
            try await store.commit(batch)
            seq += size
        }
        let all = S.events(1...seq, runID: "r")
        #expect(try await store.summary(runID: "r")?.lastSeq == seq)
        #expect(try await store.summary(runID: "other")?.lastSeq == others)
        for afterSeq in [0, 1, 7, 8, 255, 256, 300, 308, 309, 511, 512, 513, 1000, 1022, 1023, 1024, 1500, seq - 1, seq] {
            for limit in [1, 100, 512, 5000] {
                let expected = Array(all.dropFirst(afterSeq).prefix(limit))
                #expect(
                    try await store.events(runID: "r", afterSeq: afterSeq, limit: limit) == expected, "after \(afterSeq), limit \(limit)")
            }
        }
        #expect(try await store.events(runID: "other", afterSeq: 0, limit: 100) == S.events(1...others, runID: "other"))
        // An event stored again, alone or inside a later row, is refused with the whole commit.
        for again in [S.events(seq...seq, runID: "r"), S.events((seq - 1)...(seq + 5), runID: "r"), S.events(1...3, runID: "r")] {
            var batch = StoreBatch()
            batch.append("other", S.events((others + 1)...(others + 1), runID: "other"))
            batch.append("r", again)
            await #expect(throws: (any Error).self) { try await store.commit(batch) }
        }
        #expect(try await store.summary(runID: "other")?.lastSeq == others)
        #expect(try await store.events(runID: "r", afterSeq: seq - 3, limit: 100) == S.events((seq - 2)...seq, runID: "r"))
    }
}
