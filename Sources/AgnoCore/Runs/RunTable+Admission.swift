import AgnoProtocol
import Foundation

/// Admission: runs start while there are slots (all users, and per user), the rest wait in per-user queues
/// served round-robin; a settled run frees its slot for the next.
extension RunTable {
    /// Starts queued runs while there are free slots, users served round-robin.
    func startQueued() {
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
