import Foundation
import Synchronization

/// A thread that runs a WAL checkpoint every `interval` seconds until stopped. SQLite's automatic checkpoint
/// is off (it would run inside a commit, on the path from an event to its readers).
public final class StoreCheckpointer: Sendable {
    private let stopped = Mutex(false)
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(interval: Double, checkpoint: @escaping @Sendable () throws -> Void) {
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                _ = wake.wait(timeout: .now() + interval)
                // A failure (say, a busy file) is retried at the next tick; the log only grows meanwhile.
                try? checkpoint()
            }
            exited.signal()
        }
        thread.name = "agnod-store-checkpoint"
        thread.start()
    }

    /// Stops the thread after one last checkpoint.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
        exited.wait()
    }
}
