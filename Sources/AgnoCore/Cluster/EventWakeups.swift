import Synchronization

/// Readers of runs executing on another host wait here until that host says it stored new events (or a
/// timeout passes: a missed notification delays a reader by at most the timeout, never loses an event,
/// because the reader reads the store after every wake-up). A reader takes a `token` before it reads the
/// store and waits `since` it: a wake-up that came between its read and its wait ends the wait at once
/// (without it, a run's final commit landing in that gap left its remote readers waiting the whole timeout).
public final class EventWakeups: Sendable {
    private struct State {
        var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
        var next = 0
        /// Waits whose timeout or cancellation came before they were registered: they end at once.
        var expired: Set<Int> = []
        /// A counter of wake-ups; each run's last one, and the last `wakeAll`.
        var clock: UInt64 = 0
        var woken: [String: UInt64] = [:]
        var wokeAll: UInt64 = 0

        func token(_ runID: String) -> UInt64 { max(woken[runID] ?? 0, wokeAll) }

        /// Keeps the last wake-ups only: a token older than those is taken as changed (a spare read).
        mutating func forgetOld() {
            guard woken.count > Self.remembered else { return }
            let horizon = clock - UInt64(Self.remembered / 2)
            woken = woken.filter { $0.value > horizon }
            wokeAll = max(wokeAll, horizon)
        }

        static let remembered = 8192
    }

    private let state = Mutex(State())

    public init() {}

    /// How many readers wait (for tests and metrics).
    public var waiting: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    /// What a reader holds before it reads the store, to wait `since` it.
    public func token(runID: String) -> UInt64 { state.withLock { $0.token(runID) } }

    /// Waits until `wake(runID)` or `wakeAll()` (also one since `token`, if given), `timeout`, or the task is cancelled.
    public func wait(runID: String, since token: UInt64? = nil, timeout: Duration) async {
        let id = state.withLock { s -> Int in
            s.next += 1
            return s.next
        }
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            self.resume(runID: runID, id: id)
        }
        defer {
            timer.cancel()
            state.withLock { _ = $0.expired.remove(id) }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.expired.remove(id) != nil || Task.isCancelled { return true }
                    if let token, s.token(runID) != token { return true }
                    s.waiters[runID, default: [:]][id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            resume(runID: runID, id: id)
        }
    }

    /// Wakes every reader of these runs.
    public func wake(_ runIDs: some Sequence<String>) {
        let continuations = state.withLock { s in
            var woken: [CheckedContinuation<Void, Never>] = []
            for id in runIDs {
                s.clock += 1
                s.woken[id] = s.clock
                if let waiting = s.waiters.removeValue(forKey: id) { woken += waiting.values }
            }
            s.forgetOld()
            return woken
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Wakes every reader (after a reconnect, when notifications may have been missed).
    public func wakeAll() {
        let continuations = state.withLock { s in
            s.clock += 1
            s.wokeAll = s.clock
            defer { s.waiters = [:] }
            return s.waiters.values.flatMap(\.values)
        }
        for continuation in continuations { continuation.resume() }
    }

    private func resume(runID: String, id: Int) {
        let continuation = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let c = s.waiters[runID]?.removeValue(forKey: id) else {
                s.expired.insert(id)
                return nil
            }
            if s.waiters[runID]?.isEmpty == true { s.waiters[runID] = nil }
            return c
        }
        continuation?.resume()
    }
}
