import AgnoProtocol
import Foundation
import Synchronization

/// Every run: the live ones in memory (with their tasks and subscribers), all of them in the store.
/// Admits runs within the limits, queues the rest, and starts queued runs as slots free up.
public final class RunTable: Sendable {
    public let store: any RunStore
    public let writer: StoreWriter
    /// Runs one run to its end (the executor); set once at start-up.
    public typealias Executor = @Sendable (RunRecord) async -> Void

    private struct State {
        var limits: RunLimits
        var live: [String: RunRecord] = [:]
        var active = 0
        var activeByUser: [UInt32: Int] = [:]
        var queue = RunQueue()
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>
    private let executor = Mutex(Hook<Executor>())

    public init(writer: StoreWriter, limits: RunLimits) {
        self.store = writer.store
        self.writer = writer
        self.state = Mutex(State(limits: limits))
    }

    public func setExecutor(_ executor: @escaping Executor) {
        self.executor.withLock { $0.body = executor }
    }

    public func setLimits(_ limits: RunLimits) {
        state.withLock { $0.limits = limits }
        startQueued()
    }

    /// Runs not yet finished.
    public var activeCount: Int { state.withLock { $0.active } }
    public var liveCount: Int { state.withLock { $0.live.count } }
    /// Runs waiting for a slot.
    public var queuedCount: Int { state.withLock { $0.queue.total } }

    /// What `onChange` hears about.
    public enum Change: Sendable {
        /// Stored PENDING; it starts now or waits in its user's queue.
        case accepted(RunRecord)
        case started(RunRecord)
        /// The run's final event is stored.
        case settled(RunRecord)
    }

    /// Called whenever a run starts or settles (the daemon logs and reports its status to systemd from here).
    private let onChange = Mutex(Hook<@Sendable (Change) -> Void>())
    public func setOnChange(_ body: @escaping @Sendable (Change) -> Void) { onChange.withLock { $0.body = body } }
    private func changed(_ change: Change) { onChange.withLock { $0.body }?(change) }

    /// Returns once no run is live (every run settled). Runs accepted meanwhile are waited for too.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s -> Bool in
                if s.live.isEmpty { return true }
                s.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Cancels every run still waiting for a slot (at shutdown: nothing new starts).
    public func cancelQueued(reason: String) {
        let queued = state.withLock { s in s.live.values.filter { $0.status == .pending } }
        for record in queued {
            if case .cancelledPending = record.cancel(reason: reason, by: "agnod") {
                state.withLock { s in s.queue.remove(record) }
            }
        }
    }

    /// Accepts a run: stores it PENDING, then starts it now or queues it. Throws `conflict` or `busy`.
    public func start(workflow: WorkflowDefinition, input: String, runID: String?, sessionID: String?, caller: Caller) throws(ProtocolError) -> RunRecord {
        let id = runID ?? RunID.make()
        let record = RunRecord(runID: id, sessionID: sessionID ?? RunID.make(), workflow: workflow, owner: caller, input: input, writer: writer)
        record.onSettled { [weak self] in self?.settled($0) }
        try state.withLock { s throws(ProtocolError) in
            if s.live[id] != nil || ((try? store.summary(runID: id)) ?? nil) != nil {
                throw ProtocolError(.conflict, "run_id '\(id)' is already used")
            }
            let mustWait = s.active >= s.limits.activeRuns || s.activeByUser[caller.uid, default: 0] >= s.limits.activeRunsPerUser
            if mustWait && s.queue.count(for: caller.uid) >= s.limits.queuedRunsPerUser {
                throw ProtocolError(.busy, "\(caller.user) already has \(s.queue.count(for: caller.uid)) runs waiting (queued_runs_per_user is \(s.limits.queuedRunsPerUser)); try again later", retryAfterMs: 1000)
            }
            do {
                try store.insert(record.summary)
            } catch {
                throw ProtocolError(.internal, "could not store the run: \(error)")
            }
            s.live[id] = record
            s.queue.enqueue(record)
        }
        changed(.accepted(record))
        startQueued()
        return record
    }

    /// Starts queued runs while there are free slots, users served round-robin.
    private func startQueued() {
        while let record = state.withLock({ s -> RunRecord? in
            let limits = s.limits
            guard s.active < limits.activeRuns else { return nil }
            guard let next = s.queue.next(mayStart: { s.activeByUser[$0, default: 0] < limits.activeRunsPerUser }) else { return nil }
            s.active += 1
            s.activeByUser[next.owner.uid, default: 0] += 1
            return next
        }) {
            let executor = self.executor.withLock { $0.body }
            let started = record.launch {
                await executor?(record)
                if !record.status.isTerminal {
                    // An executor must end every run; if one did not, the run must still settle.
                    record.finish(.error, content: nil, error: "internal: the executor returned without ending the run",
                                  finalEvent: RunEvents(record: record).workflow(.workflowError, [("error", .string("internal: the executor returned without ending the run"))]))
                }
            }
            if !started { release(record) } else { changed(.started(record)) }
        }
    }

    /// The run's final event is stored: it leaves the live table (readers now find it in the store) and,
    /// if it held a slot, the slot goes to the next queued run.
    private func settled(_ record: RunRecord) {
        if record.wasLaunched {
            release(record)
        } else {
            state.withLock { s in
                s.queue.remove(record)
                s.live[record.runID] = nil
            }
        }
        startQueued()
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            guard s.live.isEmpty else { return [] }
            defer { s.idleWaiters = [] }
            return s.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
        changed(.settled(record))
    }

    private func release(_ record: RunRecord) {
        state.withLock { s in
            s.active -= 1
            let uid = record.owner.uid
            s.activeByUser[uid, default: 1] -= 1
            if s.activeByUser[uid] == 0 { s.activeByUser[uid] = nil }
            s.live[record.runID] = nil
        }
    }

    /// The live record of a run the caller may see.
    public func live(_ runID: String) -> RunRecord? { state.withLock { $0.live[runID] } }

    /// A run's summary, or `not_found` when it does not exist or the caller may not see it.
    public func summary(_ runID: String, caller: Caller) throws(ProtocolError) -> RunSummary {
        if let record = live(runID), caller.mayAccess(ownerUID: record.owner.uid) { return record.summary }
        guard let stored = (try? store.summary(runID: runID)) ?? nil, caller.mayAccess(ownerUID: stored.ownerUID) else {
            throw ProtocolError.notFound("no run '\(runID)'")
        }
        return stored
    }

    /// A page of a run's tool calls with their whole results (those stored so far, for a live run), or `not_found`.
    public func toolCalls(_ runID: String, caller: Caller, afterSeq: Int, limit: Int, toolCallID: String?) throws(ProtocolError) -> [ToolCallRecord] {
        _ = try summary(runID, caller: caller)
        do {
            return try store.toolCalls(runID: runID, afterSeq: afterSeq, limit: limit, toolCallID: toolCallID)
        } catch {
            throw ProtocolError(.internal, "could not read the run's tool calls: \(error)")
        }
    }

    /// Cancels a run. `(true, status before)` when it was PENDING or RUNNING, `(false, status)` when it had ended.
    public func cancel(_ runID: String, reason: String?, caller: Caller) throws(ProtocolError) -> (cancelled: Bool, status: RunStatus) {
        // Who cancelled is kept in the run (cancelled_by) and, when it is not the owner, in the reason too.
        let owner = live(runID)?.owner.uid
        let byOther = owner != nil && owner != caller.uid
        let who = byOther ? "admin \(caller.user)" : caller.user
        let why = reason.map { byOther ? "\($0) (cancelled by \(who))" : $0 } ?? "cancelled by \(who)"
        guard let record = live(runID), caller.mayAccess(ownerUID: record.owner.uid) else {
            let summary = try summary(runID, caller: caller)
            return (false, summary.status)
        }
        switch record.cancel(reason: why, by: caller.user) {
        case .cancelledPending:
            // It never starts; it leaves the live table once its final event is stored.
            state.withLock { s in s.queue.remove(record) }
            return (true, .pending)
        case .cancellingRunning:
            return (true, .running)
        case .alreadyEnded(let status):
            return (false, status)
        }
    }

    /// The caller's runs (or everyone's), newest first.
    public func list(caller: Caller, allUsers: Bool, statuses: [RunStatus]?, limit: Int) throws(ProtocolError) -> [RunSummary] {
        if allUsers && !caller.isAdmin { throw ProtocolError(.permissionDenied, "all_users needs an admin (root or a member of the admin group)") }
        let stored: [RunSummary]
        do {
            stored = try store.summaries(ownerUID: allUsers ? nil : caller.uid, statuses: statuses.map(Set.init), limit: limit)
        } catch {
            throw ProtocolError(.internal, "could not read runs: \(error)")
        }
        // Live runs' summaries are fresher than what was last saved.
        return stored.map { live($0.runID)?.summary ?? $0 }
    }

    /// Deletes a finished run the caller may see.
    public func remove(_ runID: String, caller: Caller) throws(ProtocolError) -> RunSummary {
        let summary = try summary(runID, caller: caller)
        guard summary.status.isTerminal, live(runID) == nil else {
            throw ProtocolError(.conflict, "run '\(runID)' is \(summary.status.rawValue); cancel it before removing it")
        }
        _ = try? store.remove(runID: runID)
        return summary
    }

    /// Cancels every live run (at shutdown), waits until their tasks end, and until everything is stored.
    public func cancelAll(reason: String) async {
        let records = state.withLock { Array($0.live.values) }
        for record in records { _ = record.cancel(reason: reason, by: "agnod") }
        for record in records { await record.waitForTask() }
        await writer.flush()
    }
}
