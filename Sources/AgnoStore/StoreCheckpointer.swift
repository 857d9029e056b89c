import Foundation
import Synchronization

/// A thread that runs a WAL checkpoint every `interval` seconds until stopped. SQLite's automatic checkpoint
/// is off (it would run inside a commit, on the path from an event to its readers).
public final class StoreCheckpointer: Sendable {
    private let stopped = Mutex(false)
    private let completed = Mutex(0)
    private let ran = Mutex(0)
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    /// `checkpoint` answers whether it started the log over (the next commit writes it from its start).
    init(interval: Double, checkpoint: @escaping @Sendable () throws -> Bool) {
        let thread = Thread { [self] in
            while !stopped.withLock({ $0 }) {
                _ = wake.wait(timeout: .now() + interval)
                // A failure (say, a busy file) is retried at the next tick; the log only grows meanwhile.
                switch Result(catching: checkpoint) {
                case .success(let restarted):
                    ran.withLock { $0 += 1 }
                    if restarted { completed.withLock { $0 += 1 } }
                case .failure: break
                }
            }
            exited.signal()
        }
        thread.name = "agnod-store-checkpoint"
        thread.start()
    }

    /// Checkpoints that started the log over so far (tests).
    public var emptiedLogs: Int { completed.withLock { $0 } }

    /// Checkpoints that ran (passive, and RESTART when due) so far (tests).
    public var checkpoints: Int { ran.withLock { $0 } }

    /// Stops the thread after one last checkpoint.
    public func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
        exited.wait()
    }
}
