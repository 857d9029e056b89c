import AgnoCore
import AgnoStore
import Foundation
import Logging
import ServiceLifecycle

/// The store writer and the store (SQLite's checkpointer, PostgreSQL's pool): the first service up and the last one stopped, so every run's
/// final commit (made while the services after it stop) reaches the file.
struct StoreService: Service {
    let writer: StoreWriter
    let opened: OpenedStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()  // or the group's cancellation: either way, stop writing
        // Waited for on a thread of its own: the writer's last commits may need the task pool (PostgreSQL's
        // commit is async), and a task blocking a pool thread here could leave them none (agnod hung at stop).
        let writer = self.writer
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                writer.stop()
                done.resume()
            }.start()
        }
        await opened.close()
        let stats = writer.statistics
        logger.info(
            "store writer stopped",
            metadata: [
                "commits": "\(stats.commits)", "events": "\(stats.events)", "largest_commit": "\(stats.largestCommit)",
                "failures": "\(stats.failures)",
            ])
    }
}
