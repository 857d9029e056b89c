import Synchronization

/// Once-only "it ended, because …", with waiters: how an HTTP session tells its `MCPServer` that the server
/// ended it (HTTP 404) or that agnod closed it.
final class EndNotice: Sendable {
    private struct State {
        var reason: String?
        var waiters: [@Sendable (String) -> Void] = []
    }
    private let state = Mutex(State())

    var reason: String? { state.withLock { $0.reason } }

    /// Records the end (the first reason wins) and calls the waiters.
    func end(_ reason: String) {
        let waiters = state.withLock { s -> [@Sendable (String) -> Void] in
            guard s.reason == nil else { return [] }
            s.reason = reason
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter(reason) }
    }

    func onEnd(_ body: @escaping @Sendable (String) -> Void) {
        let reason = state.withLock { s -> String? in
            if s.reason == nil { s.waiters.append(body) }
            return s.reason
        }
        if let reason { body(reason) }
    }

    func ended() async -> String {
        await withCheckedContinuation { continuation in onEnd { continuation.resume(returning: $0) } }
    }
}
