import NIOCore
import NIOPosix

/// Swift Concurrency's tasks on NIO's event loops (see docs/performance.md).
public enum ConcurrencyOnEventLoops {
    /// Installs NIO's singleton event loops as the global executor; call first, from the main thread.
    @discardableResult
    public static func install() -> Bool {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }
}
