import AgnoCore
import AgnoProtocol
import AgnoStore
import Foundation
import Logging

/// The whole daemon: loads configuration and workflows, serves the socket, and on SIGTERM/SIGINT stops
/// accepting, cancels the runs and exits.
public final class Daemon: Sendable {
    public static let version = "0.1.0"

    let context: DaemonContext
    let server: SocketServer
    let logger: Logger

    let writer: StoreWriter
    let checkpointer: StoreCheckpointer

    /// Opens the store (ending runs a previous process left unfinished) and loads the workflows.
    public init(config: DaemonConfig, logger: Logger) throws {
        self.logger = logger
        let store = try SQLiteRunStore(stateDir: config.stateDir, durability: config.durability)
        let recovered = try RunRecovery().recover(store)
        for run in recovered {
            logger.warning("run interrupted", metadata: ["run_id": "\(run.runID)", "workflow": "\(run.workflow)", "uid": "\(run.ownerUID)", "status": "\(run.status.rawValue)"])
        }
        logger.info("store opened", metadata: ["path": "\(store.path)", "durability": "\(config.durability.rawValue)", "interrupted_runs": "\(recovered.count)"])
        checkpointer = store.startCheckpointing()
        writer = StoreWriter(store: store) { error in
            logger.error("the run store failed to write; runs that were writing are stopped", metadata: ["error": "\(error)"])
        }
        let catalog = Daemon.loadWorkflows(config, logger: logger)
        let models = ModelResolver(providers: config.providers, defaultModel: config.defaultModel)
        let table = RunTable(writer: writer, limits: config.limits)
        context = DaemonContext(table: table, logger: logger, version: Daemon.version, config: config, catalog: catalog, models: models)
        server = SocketServer(daemon: context)
        let context = self.context
        table.setExecutor { record in
            let environment = ExecutionEnvironment(models: context.models, tools: .builtIn, defaultToolCallLimit: context.config.toolCallLimit)
            context.logger.info("run started", metadata: ["run_id": "\(record.runID)", "workflow": "\(record.workflow.name)", "uid": "\(record.owner.uid)"])
            await WorkflowRunner(environment: environment).run(record)
            let summary = record.summary
            context.logger.info("run ended", metadata: ["run_id": "\(record.runID)", "workflow": "\(record.workflow.name)", "status": "\(summary.status.rawValue)"])
        }
    }

    static func loadWorkflows(_ config: DaemonConfig, logger: Logger) -> WorkflowCatalog {
        let catalog = WorkflowCatalog.load(directory: config.workflowsDir, parser: WorkflowParser(knownTools: ToolRegistry.builtIn.names))
        for problem in catalog.problems {
            logger.error("workflow refused: \(problem)")
        }
        logger.info("workflows loaded", metadata: ["count": "\(catalog.workflows.count)", "names": "\(catalog.sorted.map(\.name).joined(separator: ","))"])
        return catalog
    }

    /// Applies the retention policy now and then every `interval`, until cancelled.
    func applyRetention(every policy: RetentionPolicy) async {
        while !Task.isCancelled {
            do {
                let removed = try policy.apply(to: context.table.store)
                if removed > 0 {
                    logger.info("retention removed \(removed) finished runs", metadata: [
                        "removed": "\(removed)", "max_age_s": "\(policy.maxAge.map { "\(Int($0))" } ?? "none")",
                        "max_runs": "\(policy.maxRuns.map(String.init) ?? "none")",
                    ])
                }
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(policy.interval))
        }
    }

    /// Serves until SIGTERM or SIGINT; returns once everything is stopped.
    public func run() async throws {
        let config = context.config
        let signals = SignalWatcher(signals: [SIGTERM, SIGINT])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.server.run(path: config.socket) {
                    self.logger.info("listening", metadata: ["socket": "\(config.socket)", "version": "\(Daemon.version)"])
                }
            }
            group.addTask {
                await self.applyRetention(every: config.retention)  // until cancelled
            }
            group.addTask {
                let signal = await signals.next()
                self.logger.info("stopping", metadata: ["signal": "\(signal)"])
                self.server.stop()
                await self.context.table.cancelAll(reason: "agnod is stopping")
            }
            // Whichever ends first (a signal, or the server failing) ends the daemon.
            try await group.next()
            group.cancelAll()
        }
        await context.models.shutdown()
        writer.stop()
        checkpointer.stop()
        let stats = writer.statistics
        logger.info("store writer stopped", metadata: [
            "commits": "\(stats.commits)", "events": "\(stats.events)", "largest_commit": "\(stats.largestCommit)", "failures": "\(stats.failures)",
        ])
        try? FileManager.default.removeItem(atPath: config.socket)
        logger.info("stopped")
    }
}
