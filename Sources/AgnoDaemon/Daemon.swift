import AgnoCore
import AgnoProtocol
import Foundation
import Logging

/// The whole daemon: loads configuration and workflows, serves the socket, and on SIGTERM/SIGINT stops
/// accepting, cancels the runs and exits.
public final class Daemon: Sendable {
    public static let version = "0.1.0"

    let context: DaemonContext
    let server: SocketServer
    let logger: Logger

    public init(config: DaemonConfig, logger: Logger) {
        self.logger = logger
        let catalog = Daemon.loadWorkflows(config, logger: logger)
        let models = ModelResolver(providers: config.providers, defaultModel: config.defaultModel)
        let table = RunTable(store: MemoryRunStore(), limits: config.limits)
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
        try? FileManager.default.removeItem(atPath: config.socket)
        logger.info("stopped")
    }
}
