import AgnoProtocol
import Foundation
import Synchronization
import Testing

@testable import AgnoCore

/// Group commit: everything submitted is stored in order, and a completion runs only after its commit.
@Suite struct StoreWriterTests {
    /// Shared state for completions (a `Mutex` itself cannot be captured).
    final class Locked<Value: Sendable>: Sendable {
        let mutex: Mutex<Value>
        init(_ value: Value) { mutex = Mutex(value) }
        func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
    }

    func run(_ id: String) -> RunSummary {
        RunSummary(
            runID: id, sessionID: "s", workflow: "w", status: .running, ownerUID: 1, owner: "u", input: "", createdAt: Date(), steps: [])
    }

    static func event(_ seq: Int) -> EncodedEvent { EncodedEvent(seq: seq, json: Array("{\"n\":\(seq)}".utf8)) }

    @Test func everyCompletionSeesItsEventAlreadyStoredAndCompletionsRunInOrder() async throws {
        let store = MemoryRunStore()
        let writer = StoreWriter(store: store)
        let runs = (0..<8).map { "run\($0)" }
        for id in runs { try await store.insert(run(id)) }
        let perRun = 2_000
        let violations = Locked(0)
        let order = Locked([String: Int]())
        // Eight producers at once, like eight runs streaming.
        await withTaskGroup(of: Void.self) { group in
            for id in runs {
                group.addTask {
                    for seq in 1...perRun {
                        writer.submit(runID: id, events: [Self.event(seq)], summary: nil) { failure in
                            let stored = store.storedEvents(runID: id, afterSeq: seq - 1, limit: 1)
                            if failure != nil || stored.first?.seq != seq { violations.withLock { $0 += 1 } }
                            order.withLock { o in
                                if o[id, default: 0] != seq - 1 { violations.withLock { $0 += 1 } }
                                o[id] = seq
                            }
                        }
                    }
                }
            }
        }
        await writer.flush()
        #expect(violations.withLock { $0 } == 0)
        for id in runs {
            #expect(try await store.events(runID: id, afterSeq: 0, limit: 10_000).map(\.seq) == Array(1...perRun))
        }
        let stats = writer.statistics
        #expect(stats.events == runs.count * perRun)
        #expect(stats.commits == store.commitCount)
        #expect(stats.failures == 0)
        writer.stop()
    }

    /// A store that refuses every commit.
    final class BrokenStore: RunStore {
        let inner = MemoryRunStore()
        struct DiskFull: Error {}
        func insert(_ run: RunSummary) async throws { try await inner.insert(run) }
        func commit(_ batch: StoreBatch) async throws { throw DiskFull() }
        func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent] {
            try await inner.events(runID: runID, afterSeq: afterSeq, limit: limit)
        }
        func summary(runID: String) async throws -> RunSummary? { try await inner.summary(runID: runID) }
        func position(runID: String) async throws -> [NodeResult] { try await inner.position(runID: runID) }
        func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord] {
            try await inner.toolCalls(runID: runID, afterSeq: afterSeq, limit: limit, toolCallID: toolCallID)
        }
        func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary] {
            try await inner.summaries(ownerUID: ownerUID, statuses: statuses, limit: limit)
        }
        func remove(runID: String) async throws -> Bool { try await inner.remove(runID: runID) }
        func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int { 0 }
    }

    @Test func aCommitThatKeepsFailingIsReportedToTheSubmitterAndTheOwner() async throws {
        let reported = Locked<[String]>([])
        let writer = StoreWriter(store: BrokenStore()) { error in reported.withLock { $0.append("\(error)") } }
        let failure: String? = await withCheckedContinuation { continuation in
            writer.submit(runID: "r", events: [Self.event(1)], summary: nil) { failure in
                continuation.resume(returning: failure.map { "\($0)" })
            }
        }
        #expect(failure == "DiskFull()")
        #expect(reported.withLock { $0 } == ["DiskFull()"])
        #expect(writer.statistics.failures == 1)
        writer.stop()
    }
}
