import Synchronization

/// Requests in flight on all connections. At shutdown, once every run has ended, the daemon waits for this
/// to reach zero so that each stream has written its `end` before connections close.
final class RequestGauge: Sendable {
    private struct State {
        var count = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    var count: Int { state.withLock { $0.count } }

    func begin() { state.withLock { $0.count += 1 } }

    func end() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.count -= 1
            guard s.count == 0 else { return [] }
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when no request is in flight, or after `timeout`, whichever comes first.
    func waitUntilIdle(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let idle = self.state.withLock { s -> Bool in
                        if s.count == 0 { return true }
                        s.waiters.append(continuation)
                        return false
                    }
                    if idle { continuation.resume() }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            // A waiter left behind by the timeout is resumed here so its task can end.
            let left = self.state.withLock { s in defer { s.waiters = [] }; return s.waiters }
            for waiter in left { waiter.resume() }
        }
    }
}
