import AgnoProtocol
import Foundation

/// Admission: runs start while there are slots (all users, and per user), the rest wait in per-user queues
/// served round-robin; a settled run frees its slot for the next.
extension RunTable {
    /// Starts queued runs while there are free slots, users served round-robin.
    func startQueued() {
        let cluster = self.cluster
        while let (record, generation) = state.withLock({ s -> (RunRecord, Int)? in
            let limits = s.limits
            guard s.active < limits.activeRuns else { return nil }
            guard
                let next = s.queue.next(mayStart: {
                    s.activeByUser[$0, default: 0] < limits.activeRunsPerUser && !s.blockedAcrossHosts.contains($0)
                })
            else { return nil }
            s.active += 1
            s.activeByUser[next.owner.uid, default: 0] += 1
            return (next, s.slotGeneration)
        }) {
            if let cluster {
                claimSlotThenLaunch(record, cluster: cluster, generation: generation)
            } else {
                launch(record)
            }
        }
    }

    /// Starts a run that holds a slot here.
    func launch(_ record: RunRecord) {
        let executor = self.executor.withLock { $0.body }
        let started = record.launch {
            await executor?(record)
            if !record.status.isTerminal && record.status != .paused {
                // An executor must end every run; if one did not, the run must still settle.
                record.finish(
                    .error, content: nil, error: "internal: the executor returned without ending the run",
                    finalEvent: RunEvents(record: record).workflow(
                        .workflowError, [("error", .string("internal: the executor returned without ending the run"))]))
            }
        }
        if !started { release(record) } else { changed(.started(record)) }
    }

    /// With other hosts sharing the store, `active_runs_per_user` counts the user's runs on all of them: the run
    /// first takes one of its owner's slots in the store. When they are all held elsewhere, it goes back to the
    /// head of its owner's queue, and the user's runs wait until a slot frees (`slotsFreed`).
    func claimSlotThenLaunch(_ record: RunRecord, cluster: any ClusterLink, generation: Int) {
        let limit = state.withLock { $0.limits.activeRunsPerUser }
        Task {
            let taken = (try? await cluster.claimSlot(runID: record.runID, ownerUID: record.owner.uid, limit: limit)) ?? false
            if taken { return launch(record) }
            let retry = state.withLock { s -> Bool in
                s.active -= 1
                let uid = record.owner.uid
                s.activeByUser[uid, default: 1] -= 1
                if s.activeByUser[uid] == 0 { s.activeByUser[uid] = nil }
                guard record.status == .pending, s.live[record.runID] === record else { return true }  // cancelled meanwhile
                s.queue.putBack(record)
                // A slot that freed while the claim was on its way is not waited for.
                if s.slotGeneration == generation { s.blockedAcrossHosts.insert(uid) }
                return s.slotGeneration != generation
            }
            if retry { startQueued() }
        }
    }

    /// Slots may have freed on some host: every user's queued runs may try again.
    public func slotsFreed() {
        let any = state.withLock { s -> Bool in
            s.slotGeneration += 1
            defer { s.blockedAcrossHosts = [] }
            return !s.blockedAcrossHosts.isEmpty
        }
        if any { startQueued() }
    }

    /// The run's final event is stored: it leaves the live table (readers now find it in the store) and,
    /// if it held a slot, the slot goes to the next queued run.
    func settled(_ record: RunRecord) {
        if let failure = record.storeFailure {
            state.withLock { s in
                if s.unstored.count >= 1000, let any = s.unstored.keys.first { s.unstored[any] = nil }
                s.unstored[record.runID] = failure
            }
        }
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
            defer { s.idleWaiters = [:] }
            return Array(s.idleWaiters.values)
        }
        for waiter in waiters { waiter.resume() }
        if record.status == .paused { armPauseTimer(record.summary) }
        changed(.settled(record))
    }

    func release(_ record: RunRecord) {
        state.withLock { s in
            s.active -= 1
            let uid = record.owner.uid
            s.activeByUser[uid, default: 1] -= 1
            if s.activeByUser[uid] == 0 { s.activeByUser[uid] = nil }
            s.live[record.runID] = nil
        }
    }
}
