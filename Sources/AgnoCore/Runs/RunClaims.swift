import Synchronization

/// One operation at a time on a run that is not live (a PAUSED run being continued, cancelled or timed
/// out): the others wait their turn, then see what the first did.
final class RunClaims: Sendable {
    private let state = Mutex<[String: [CheckedContinuation<Void, Never>]]>([:])

    func acquire(_ runID: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLock { s -> Bool in
                if var waiters = s[runID] {
                    waiters.append(continuation)
                    s[runID] = waiters
                    return false
                }
                s[runID] = []
                return true
            }
            if free { continuation.resume() }
        }
    }

    func release(_ runID: String) {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard var waiters = s[runID] else { return nil }
            if waiters.isEmpty {
                s[runID] = nil
                return nil
            }
            let first = waiters.removeFirst()
            s[runID] = waiters
            return first
        }
        next?.resume()
    }

    func isClaimed(_ runID: String) -> Bool { state.withLock { $0[runID] != nil } }
}
