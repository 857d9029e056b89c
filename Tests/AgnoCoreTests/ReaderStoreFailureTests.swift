import AgnoProtocol
import Foundation
import Testing

@testable import AgnoCore

/// A reader behind a live run whose stored events cannot be read must be told so, not handed the live
/// subscription: that would skip the events it could not read (a gap in its stream).
@Suite struct ReaderStoreFailureTests {
    @Test func aFailedReadOfStoredEventsIsReportedNotSkipped() async throws {
        let store = TestStore()
        let writer = StoreWriter(store: store)
        defer { writer.stop() }
        let wf = WorkflowDefinition(name: "w", agents: [:], steps: [])
        let record = RunRecord(
            runID: "r", sessionID: "s", workflow: wf, owner: Caller(uid: 1, user: "u", isAdmin: false), input: "", writer: writer)
        try await store.insert(record.summary)
        let event = JSONValue.object([("event", .string("RunContent")), ("content", .string("x"))])
        for _ in 1...5 { record.emit(event) }
        await writer.flush()

        store.failReads.store(true, ordering: .relaxed)
        switch await record.read(afterSeq: 0, limit: 100, bufferSize: 8) {
        case .unreadable(let error): #expect(error.contains("disk I/O error"))
        case .live: Issue.record("a live subscription after a failed read: seqs 1...5 would be skipped")
        default: Issue.record("expected .unreadable")
        }

        store.failReads.store(false, ordering: .relaxed)
        guard case .events(let batch) = await record.read(afterSeq: 0, limit: 100, bufferSize: 8) else {
            Issue.record("expected the stored events once the store reads again")
            return
        }
        #expect(batch.seqs == Array(1...5))
    }
}
