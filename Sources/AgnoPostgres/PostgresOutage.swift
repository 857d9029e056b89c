import Synchronization

/// Whether the store's server was found unreachable a moment ago. While it is, requests that must answer a
/// client (start, status, cancel…) fail at once instead of each waiting for a connection the pool cannot make;
/// every `retryAfter` one request tries the server again, and any success (a read, the writer's retried
/// commit) ends the outage.
final class PostgresOutage: Sendable {
    private let since = Mutex<ContinuousClock.Instant?>(nil)
    /// The cluster's LISTEN connection to the same server dropped and is not back: requests fail at once.
    private let listenerLost = Atomic<Bool>(false)
    /// How long a request waits for the server before it is answered `unavailable`.
    static let answerWithin = Duration.seconds(3)
    /// How long requests fail at once after one found the server unreachable.
    static let retryAfter = Duration.milliseconds(500)

    /// Whether requests should fail at once now.
    var blocking: Bool {
        if listenerLost.load(ordering: .relaxed) { return true }
        return since.withLock { began in began.map { ContinuousClock.now - $0 < Self.retryAfter } ?? false }
    }

    func listener(up: Bool) { listenerLost.store(!up, ordering: .relaxed) }
    func failed() { since.withLock { $0 = .now } }
    func succeeded() { since.withLock { $0 = nil } }
}
