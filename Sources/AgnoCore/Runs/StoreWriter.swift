import AgnoProtocol
import Foundation
import Synchronization

/// Group commit. Runs hand their new events and summaries to one writer thread, which stores everything that
/// queued up while it was busy in one transaction and then calls each submitter's completion, in submission
/// order. Runs publish an event to readers only from that completion: an event a client has seen is stored.
/// Under light load every event gets its own commit at once; under heavy load commits grow, so the cost per
/// event falls as the rate rises, and nobody waits for a timer.
public final class StoreWriter: Sendable {
    /// Called once the submission is stored (nil) or could not be (the error, after retries).
    public typealias Completion = @Sendable (_ failure: (any Error)?) -> Void

    /// Counters for tests and benchmarks.
    public struct Statistics: Sendable, Equatable {
        public var commits = 0
        public var events = 0
        public var largestCommit = 0
        public var failures = 0
    }

    private struct State {
        var batch = StoreBatch()
        var completions: [(runID: String, completion: Completion)] = []
        /// Runs a commit failed for: nothing more of theirs is stored in this process (a later commit would
        /// leave a gap in their seqs), and their submitters hear so. They go on after a restart.
        var failedRuns: [String: String] = [:]
        var sleeping = false
        var stopping = false
        var statistics = Statistics()
        /// When the commit in progress began (nil when idle).
        var committingSince: ContinuousClock.Instant?
        /// Told how long each commit that stored took.
        var onCommit: (@Sendable (Duration) -> Void)?
    }

    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    public let store: any RunStore
    private let onFailure: @Sendable (any Error) -> Void
    /// Waits between attempts when a commit fails (a full disk may free up); after the last, the submitters get the error.
    static let retryDelays: [Double] = [0.01, 0.1, 1]

    /// Events one run may have handed over and not yet stored before its producer waits (`RunRecord.roomToWrite`):
    /// a store slower than the models holds up the run that produces, not the others, and memory stays bounded.
    public let maxUnstoredPerRun: Int

    public init(store: any RunStore, maxUnstoredPerRun: Int = 1024, onFailure: @escaping @Sendable (any Error) -> Void = { _ in }) {
        self.store = store
        self.maxUnstoredPerRun = max(1, maxUnstoredPerRun)
        self.onFailure = onFailure
        let thread = Thread { [self] in loop() }
        thread.name = "agnod-store-writer"
        thread.start()
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Events handed over and not yet committed (those of the commit in progress not counted).
    public var queuedEvents: Int { state.withLock { $0.batch.eventCount } }

    /// `body` hears how long each commit took (once it stored; retries included), on the writer's thread.
    public func setOnCommit(_ body: @escaping @Sendable (Duration) -> Void) {
        state.withLock { $0.onCommit = body }
    }

    /// False when one commit has taken longer than `limit` (a hung disk): the daemon then stops its
    /// watchdog pings, and systemd restarts it.
    public func isResponsive(within limit: Duration) -> Bool {
        state.withLock { s in s.committingSince.map { ContinuousClock.now - $0 < limit } ?? true }
    }

    /// Queues a run's new events (with the tool calls they report) and/or its new summary for the next commit.
    public func submit(
        runID: String, events: [EncodedEvent], toolCalls: [ToolCallRecord] = [], nodeResults: [NodeResult] = [], summary: RunSummary?,
        then completion: Completion? = nil
    ) {
        let wakeUp = state.withLock { s -> Bool in
            s.batch.append(runID, events)
            s.batch.append(runID, toolCalls: toolCalls)
            s.batch.append(runID, nodeResults: nodeResults)
            if let summary { s.batch.save(summary) }
            if let completion { s.completions.append((runID, completion)) }
            defer { s.sleeping = false }
            return s.sleeping
        }
        if wakeUp { wake.signal() }
    }

    /// Returns once everything submitted before the call is stored (or has failed).
    public func flush() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let wakeUp = state.withLock { s -> Bool in
                s.completions.append(("", { _ in continuation.resume() }))
                defer { s.sleeping = false }
                return s.sleeping
            }
            if wakeUp { wake.signal() }
        }
    }

    /// Stores what is queued, then stops the thread. Submissions after this are never stored.
    public func stop() {
        let wakeUp = state.withLock { s -> Bool in
            s.stopping = true
            defer { s.sleeping = false }
            return s.sleeping
        }
        if wakeUp { wake.signal() }
        exited.wait()
    }

    private func loop() {
        while true {
            let next = state.withLock { s -> (StoreBatch, [(runID: String, completion: Completion)], [String: String])? in
                if s.batch.isEmpty && s.completions.isEmpty {
                    s.sleeping = !s.stopping
                    return nil
                }
                defer {
                    s.batch = StoreBatch()
                    s.completions = []
                }
                return (s.batch.removing(runs: Set(s.failedRuns.keys)), s.completions, s.failedRuns)
            }
            guard let (batch, completions, failedBefore) = next else {
                if state.withLock({ $0.stopping }) { break }
                wake.wait()
                continue
            }
            let began = ContinuousClock.now
            state.withLock { $0.committingSince = began }
            let failure = batch.isEmpty ? nil : commit(batch)
            let onCommit = state.withLock { s in
                s.committingSince = nil
                if let failure { for runID in batch.runIDs { s.failedRuns[runID] = "\(failure)" } }
                return s.onCommit
            }
            if failure == nil, !batch.isEmpty { onCommit?(.now - began) }
            for (runID, completion) in completions {
                if let earlier = failedBefore[runID] {
                    completion(StoreWriteError(message: earlier))
                } else {
                    completion(failure)
                }
            }
        }
        exited.signal()
    }

    /// Runs the store's async `commit` from the writer's own thread (not a task's): the thread waits for it,
    /// so commits stay one at a time and in order whatever the backend.
    static func wait(_ body: @escaping @Sendable () async throws -> Void) throws {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Void, any Error>>(.success(()))
        Task {
            do { try await body() } catch { outcome.withLock { $0 = .failure(error) } }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }.get()
    }

    private func commit(_ batch: StoreBatch) -> (any Error)? {
        var lastError: (any Error)?
        for delay in [0] + Self.retryDelays {
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            do {
                if let inline = store as? any InlineCommitting {
                    try inline.commitInline(batch)
                } else {
                    try Self.wait { [store] in try await store.commit(batch) }
                }
                let count = batch.eventCount
                state.withLock { s in
                    s.statistics.commits += 1
                    s.statistics.events += count
                    s.statistics.largestCommit = max(s.statistics.largestCommit, count)
                }
                return nil
            } catch {
                lastError = error
            }
        }
        state.withLock { $0.statistics.failures += 1 }
        if let lastError { onFailure(lastError) }
        return lastError
    }
}

/// A run's submission that was not stored because an earlier commit of that run failed.
public struct StoreWriteError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
