import AgnoCore
import AgnoSystemd
import Logging
import ServiceLifecycle

/// SIGTERM/SIGINT, first of the ordered stop: stop accepting; cancel queued runs; let running ones finish
/// within `shutdown_grace`, then cancel them; wait (up to 5 s) for each stream to write its `end`.
struct RunDrainService: Service {
    let context: DaemonContext
    let server: SocketServer
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        await server.stop()  // first: once "stopping" is logged, no one new gets in
        let grace = context.config.shutdownGrace
        logger.notice(
            "stopping",
            metadata: [
                "active_runs": "\(context.table.activeCount)", "grace_s": "\(grace)",
                "message_id": "\(MessageID.daemonStopping.rawValue)",
            ])
        notifier.stopping(status: "stopping: \(Daemon.status(context.table))")
        context.table.cancelQueued(reason: "agnod is stopping")
        if grace > 0 {
            let table = context.table
            // waitUntilIdle gives up when cancelled: the grace bounds the wait (ShutdownTests).
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await table.waitUntilIdle() }
                group.addTask { try? await Task.sleep(for: .seconds(grace)) }
                await group.next()
                group.cancelAll()
            }
        }
        await context.table.cancelAll(reason: "agnod is stopping")
        // Every run has ended and is stored; let each stream write its `end` before connections close.
        await context.requests.waitUntilIdle(timeout: .seconds(5))
    }
}
