import AgnoProtocol
import Foundation
import Testing

@testable import AgnoCore

/// A store slower than the models: the run that produces waits for it (its unstored events stay under the
/// writer's bound), and a run with little to write does not wait at all.
@Suite struct BackpressureTests {
    func record(_ id: String, _ writer: StoreWriter) async throws -> RunRecord {
        let wf = WorkflowDefinition(name: "w", agents: [:], steps: [])
        let record = RunRecord(
            runID: id, sessionID: "s", workflow: wf, owner: Caller(uid: 1, user: "u", isAdmin: false), input: "", writer: writer)
        try await writer.store.insert(record.summary)
        return record
    }

    @Test func theProducingRunWaitsForTheStoreAndTheOthersDoNot() async throws {
        let writer = StoreWriter(store: TestStore(commitDelay: .milliseconds(5)), maxUnstoredPerRun: 16)
        defer { writer.stop() }
        let fast = try await record("fast", writer)
        let quiet = try await record("quiet", writer)
        let unpaced = try await record("unpaced", writer)
        let event = JSONValue.object([("event", .string("RunContent")), ("content", .string("x"))])

        // A producer that does not wait piles events up: the bound is what keeps memory in check.
        for _ in 1...200 { unpaced.emit(event) }
        #expect(unpaced.unstoredCount > 16)

        // One that waits never has more than the bound outstanding.
        var most = 0
        for i in 1...300 {
            fast.emit(event)
            await fast.roomToWrite()
            most = max(most, fast.unstoredCount)
            if i == 150 {
                // Meanwhile a run with one event to write is not held up by the busy one.
                quiet.emit(event)
                #expect(quiet.unstoredCount <= 1)
                await quiet.roomToWrite()
            }
        }
        #expect(most <= 16, "the producing run had \(most) events unstored")
        await writer.flush()
        #expect(fast.unstoredCount == 0)
        #expect(try await writer.store.events(runID: "fast", afterSeq: 0, limit: 1000).map(\.seq) == Array(1...300))
    }
}
