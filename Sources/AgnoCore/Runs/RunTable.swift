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

    struct State {
        var limits: RunLimits
        var live: [String: RunRecord] = [:]
        var active = 0
        var activeByUser: [UInt32: Int] = [:]
        var queue = RunQueue()
        var idleWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextIdleWaiter = 0
        /// Ids of runs being stored by `start`, and how many each user has in that state.
        var reserved: Set<String> = []
        /// Why the store refused the writes of runs that then stopped (disk full, read-only…): their readers
        /// are told so, and their status says it. They go on after a restart from what is stored.
        var unstored: [String: String] = [:]
        var admitting: [UInt32: Int] = [:]
        /// Users whose every slot is held by runs on other hosts (a shared store): none of their queued runs
        /// starts here until a slot frees (`slotsFreed`).
        var blockedAcrossHosts: Set<UInt32> = []
        /// Counts `slotsFreed` calls, so that a claim that failed before one does not block its user.
        var slotGeneration = 0
    }

    let state: Mutex<State>
    let executor = Mutex(Hook<Executor>())
    /// Finds the workflow a run that goes on needs (the daemon's catalog); set once at start-up.
    let workflows = Mutex(Hook<@Sendable (String) -> WorkflowDefinition?>())
    /// One operation at a time on a run that is not live (continue, cancel or timeout of a PAUSED run).
    let claims = RunClaims()
    /// Each PAUSED run's timeout, if its requirement has one.
    let pauseTimers = Mutex<[String: Task<Void, Never>]>([:])
    /// The other hosts sharing the store, when there are (PostgreSQL); set once at start-up.
    let clusterLink = Mutex(Hook<any ClusterLink>())

    /// The link to the other hosts, if this one shares its store.
    public var cluster: (any ClusterLink)? { clusterLink.withLock { $0.body } }

    public func setCluster(_ link: any ClusterLink) {
        clusterLink.withLock { $0.body = link }
    }

    public init(writer: StoreWriter, limits: RunLimits) {
        self.store = writer.store
        self.writer = writer
        self.state = Mutex(State(limits: limits))
    }

    public func setExecutor(_ executor: @escaping Executor) {
        self.executor.withLock { $0.body = executor }
    }

    public func setWorkflows(_ lookup: @escaping @Sendable (String) -> WorkflowDefinition?) {
        workflows.withLock { $0.body = lookup }
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
        /// A PAUSED run's pause was answered (`continue`, or its timeout); the review is the last of `reviews`.
        case continued(RunRecord)
        /// A run interrupted by a restart goes on from its last completed node.
        case resumed(RunRecord)
        /// The run's final event is stored.
        case settled(RunRecord)
    }

    /// Called whenever a run starts or settles (the daemon logs and reports its status to systemd from here).
    private let onChange = Mutex(Hook<@Sendable (Change) -> Void>())
    public func setOnChange(_ body: @escaping @Sendable (Change) -> Void) { onChange.withLock { $0.body = body } }
    func changed(_ change: Change) { onChange.withLock { $0.body }?(change) }

    /// Returns once no run is live (every run settled), or when the calling task is cancelled (so that a
    /// bounded wait, e.g. the shutdown grace, can give up on it). Runs accepted meanwhile are waited for too.
    public func waitUntilIdle() async {
        let id = state.withLock { s -> Int in
            s.nextIdleWaiter += 1
            return s.nextIdleWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.live.isEmpty || Task.isCancelled { return true }
                    s.idleWaiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.idleWaiters.removeValue(forKey: id) }?.resume()
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
    /// The id is reserved under the lock and the store is written outside it, so that starts never wait for
    /// each other's writes.
    public func start(
        workflow: WorkflowDefinition, input: String, runID: String?, sessionID: String?, caller: Caller,
        additionalData: JSONValue? = nil, sessionState: JSONValue? = nil
    ) async throws(ProtocolError) -> RunRecord {
        let id = runID ?? RunID.make()
        let record = RunRecord(
            runID: id, sessionID: sessionID ?? RunID.make(), workflow: workflow, owner: caller, input: input, writer: writer,
            additionalData: additionalData, sessionState: sessionState)
        record.onSettled { [weak self] in self?.settled($0) }
        let uid = caller.uid
        try state.withLock { s throws(ProtocolError) in
            if s.live[id] != nil || s.reserved.contains(id) {
                throw ProtocolError(.conflict, "run_id '\(id)' is already used")
            }
            let mustWait = s.active >= s.limits.activeRuns || s.activeByUser[uid, default: 0] >= s.limits.activeRunsPerUser
            let waiting = s.queue.count(for: uid) + s.admitting[uid, default: 0]
            if mustWait && waiting >= s.limits.queuedRunsPerUser {
                throw ProtocolError(
                    .busy,
                    "\(caller.user) already has \(waiting) runs waiting (queued_runs_per_user is \(s.limits.queuedRunsPerUser)); try again later",
                    retryAfterMs: 1000)
            }
            s.reserved.insert(id)
            s.admitting[uid, default: 0] += 1
        }
        let stored: Result<Void, ProtocolError>
        do {
            // A client's id may be taken by a stored run; one made here is a fresh random UUID (122 random
            // bits): not looked up, which saves a store read per start.
            if runID != nil, try await store.summary(runID: id) != nil {
                stored = .failure(ProtocolError(.conflict, "run_id '\(id)' is already used"))
            } else {
                try await store.insert(record.summary)
                stored = .success(())
            }
        } catch {
            stored = .failure(ProtocolError(.unavailable, "could not store the run: \(error); try again later", retryAfterMs: 1000))
        }
        state.withLock { s in
            s.reserved.remove(id)
            s.admitting[uid, default: 1] -= 1
            if s.admitting[uid] == 0 { s.admitting[uid] = nil }
            if case .success = stored {
                s.live[id] = record
                s.queue.enqueue(record)
            }
        }
        try stored.get()
        changed(.accepted(record))
        startQueued()
        return record
    }

    /// Cancels a run. `(true, status before)` when it was PENDING or RUNNING, `(false, status)` when it had ended.
    public func cancel(_ runID: String, reason: String?, caller: Caller) async throws(ProtocolError) -> (cancelled: Bool, status: RunStatus)
    {
        // Who cancelled is kept in the run (cancelled_by) and, when it is not the owner, in the reason too.
        let owner = live(runID)?.owner.uid
        let why = caller.cancelReason(reason, ownRun: owner == nil || owner == caller.uid)
        guard let record = live(runID), caller.mayAccess(ownerUID: record.owner.uid) else {
            // Shared store: a run that executes on another host is asked to stop in one statement (the rest, e.g.
            // a PAUSED or ended run, below).
            if let cluster, live(runID) == nil, let before = try? await cluster.requestCancel(runID: runID, reason: reason, caller: caller)
            {
                return (true, before)
            }
            let summary = try await summary(runID, caller: caller)
            if summary.status == .paused { return try await cancelPaused(runID, reason: why, caller: caller) }
            if let cluster, !summary.status.isTerminal {
                return try await cancelElsewhere(summary, reason: reason, caller: caller, cluster: cluster)
            }
            return (false, summary.status)
        }
        return cancelLive(record, reason: why, by: caller.user)
    }

    /// Cancels a run that executes on another host: the request goes to that host through the store.
    func cancelElsewhere(_ run: RunSummary, reason: String?, caller: Caller, cluster: any ClusterLink) async throws(ProtocolError) -> (
        cancelled: Bool, status: RunStatus
    ) {
        do {
            if let before = try await cluster.requestCancel(runID: run.runID, reason: reason, caller: caller) { return (true, before) }
        } catch {
            throw ProtocolError(.unavailable, "could not ask the host of run '\(run.runID)' to cancel it: \(error)", retryAfterMs: 200)
        }
        // It ended meanwhile.
        let now = try await summary(run.runID, caller: caller)
        return (false, now.status)
    }

    /// Cancels a live run of this host (a client's cancel, or another host's request for it).
    public func cancelLive(_ record: RunRecord, reason why: String, by who: String) -> (cancelled: Bool, status: RunStatus) {
        switch record.cancel(reason: why, by: who) {
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

    /// Cancels every live run (at shutdown), waits until their tasks end, and until everything is stored.
    public func cancelAll(reason: String) async {
        let records = state.withLock { Array($0.live.values) }
        for record in records { _ = record.cancel(reason: reason, by: "agnod") }
        for record in records { await record.waitForTask() }
        await writer.flush()
    }
}
