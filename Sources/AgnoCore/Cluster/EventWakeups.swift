import Synchronization

/// Readers of runs executing on another host wait here until that host says it stored new events (or a
/// timeout passes: a missed notification delays a reader by at most the timeout, never loses an event,
/// because the reader reads the store after every wake-up).
public final class EventWakeups: Sendable {
    private struct State {
        var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
        var next = 0
        /// Waits whose timeout or cancellation came before they were registered: they end at once.
        var expired: Set<Int> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// How many readers wait (for tests and metrics).
    public var waiting: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    /// Waits until `wake(runID)` or `wakeAll()`, `timeout`, or the task is cancelled.
    public func wait(runID: String, timeout: Duration) async {
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
            runIDs.flatMap { s.waiters.removeValue(forKey: $0).map { Array($0.values) } ?? [] }
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Wakes every reader (after a reconnect, when notifications may have been missed).
    public func wakeAll() {
        let continuations = state.withLock { s in
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
