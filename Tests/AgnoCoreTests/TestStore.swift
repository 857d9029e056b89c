import AgnoProtocol
import Foundation
import Synchronization

@testable import AgnoCore

/// A memory store with faults on demand: every commit takes `commitDelay` (a slow disk), and event reads
/// fail while `failReads` is set (a store that cannot be read for a while).
final class TestStore: RunStore {
    struct ReadFailure: Error, CustomStringConvertible {
        var description: String { "disk I/O error (test)" }
    }

    let inner = MemoryRunStore()
    let commitDelay: Duration
    let failReads = Atomic<Bool>(false)

    init(commitDelay: Duration = .zero) { self.commitDelay = commitDelay }

    func insert(_ run: RunSummary) async throws { try await inner.insert(run) }
    func commit(_ batch: StoreBatch) async throws {
        if commitDelay > .zero { try await Task.sleep(for: commitDelay) }
        try await inner.commit(batch)
    }
    func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent] {
        if failReads.load(ordering: .relaxed) { throw ReadFailure() }
        return try await inner.events(runID: runID, afterSeq: afterSeq, limit: limit)
    }
    func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord] {
        try await inner.toolCalls(runID: runID, afterSeq: afterSeq, limit: limit, toolCallID: toolCallID)
    }
    func position(runID: String) async throws -> [NodeResult] { try await inner.position(runID: runID) }
    func summary(runID: String) async throws -> RunSummary? { try await inner.summary(runID: runID) }
    func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary] {
        try await inner.summaries(ownerUID: ownerUID, statuses: statuses, limit: limit)
    }
    func remove(runID: String) async throws -> Bool { try await inner.remove(runID: runID) }
    func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int {
        try await inner.removeFinished(finishedBefore: finishedBefore, keepNewest: keepNewest)
    }
}
