import NIOCore
import NIOPosix

/// Swift Concurrency's tasks on NIO's event loops (docs/performance.md): half the thread switches per run.
/// Nothing in agnod blocks a task for long (SQLite answers in microseconds; waits for threads, such as the
/// store writer's stop, happen on threads of their own), so the loops' I/O is never held up for long.
public enum ConcurrencyOnEventLoops {
    /// Installs NIO's singleton event loops as the global executor: call first, from the main thread, before
    /// any task is made.
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
