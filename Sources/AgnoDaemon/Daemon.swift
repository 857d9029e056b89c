import AgnoCore
import AgnoMCP
import AgnoPostgres
import AgnoProtocol
import AgnoStore
import AgnoSystemd
import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The whole daemon: opens the store, loads configuration and workflows, serves the socket (its own or
/// systemd's), tells systemd how it is doing, reloads on SIGHUP, and on SIGTERM/SIGINT stops accepting,
/// ends the runs, stores everything and exits.
public final class Daemon: Sendable {
    public static let version = "0.1.0"

    let context: DaemonContext
    let server: SocketServer
    let logger: Logger
    let overrides: DaemonConfig.Overrides
    let notifier = SystemdNotifier()
    let writer: StoreWriter
    /// The store and what came with it (SQLite's checkpointer, PostgreSQL's cluster link).
    let opened: OpenedStore
    /// Runs a previous process left PENDING or RUNNING that go on once the tool servers are up.
    let resumable: [RunSummary]

    /// Opens the store (ending runs a previous process left unfinished) and loads the workflows.
    public init(config: DaemonConfig, overrides: DaemonConfig.Overrides = .init(), logger: Logger) async throws {
        self.logger = logger
        self.overrides = overrides
        let runLog = RunLog(logger: logger)
        let opened = try await OpenedStore.open(config, logger: logger)
        self.opened = opened
        let store = opened.store
        let mcp = MCPHub(configs: config.mcpServers, logger: logger)
        let catalog = Daemon.loadWorkflows(
            config, parser: WorkflowParser(knownTools: ToolHost.knownNames, unlistedServers: mcp.unlisted), logger: logger)
        let recovered = try await RunRecovery(disposition: Daemon.restartDisposition(catalog)).recoverAll(store)
        for run in recovered.ended { runLog.interrupted(run) }
        resumable = recovered.resumable
        logger.info(
            "store opened",
            metadata: opened.metadata.merging(
                [
                    "interrupted_runs": "\(recovered.ended.count)", "resuming_runs": "\(recovered.resumable.count)",
                    "paused_runs": "\(recovered.paused.count)",
                ], uniquingKeysWith: { _, new in new }))
        writer = StoreWriter(store: store) { error in
            logger.error("the run store failed to write; runs that were writing are stopped", metadata: ["error": "\(error)"])
        }
        let models = ModelResolver(providers: config.providers, defaultModel: config.defaultModel)
        let table = RunTable(writer: writer, limits: config.limits)
        let telemetry = DaemonTelemetry(enabled: config.metrics.enabled)
        let metrics = telemetry.metrics
        if metrics.enabled { writer.setOnCommit { metrics.storeCommitted(in: $0) } }
        context = DaemonContext(
            table: table, logger: logger, version: Daemon.version, config: config, catalog: catalog, models: models, toolHost: ToolHost(),
            mcp: mcp, telemetry: telemetry)
        server = SocketServer(daemon: context)
        let context = self.context
        table.setExecutor { record in
            let environment = ExecutionEnvironment(
                models: context.models, tools: context.tools, defaultToolCallLimit: context.config.toolCallLimit, metrics: metrics)
            await WorkflowRunner(environment: environment).run(record)
        }
        table.setWorkflows { name in context.catalog.workflows[name] }
        for run in recovered.paused { table.armPauseTimer(run) }
        if let cluster = opened.cluster {
            table.setCluster(cluster)
            cluster.setHooks(
                PostgresCluster.Hooks(
                    cancel: { [weak table] runID, reason, by in
                        guard let table, let record = table.live(runID) else { return }
                        if table.cancelLive(record, reason: reason, by: by).cancelled {
                            logger.info("run cancel requested from another host", metadata: ["run_id": "\(runID)", "user": "\(by)"])
                        }
                    },
                    tookOver: { host, runs in
                        await Daemon.takeOver(runs, from: host, store: store, context: context, runLog: runLog, logger: logger)
                    },
                    leaseLost: { [weak table] in
                        Task { await table?.cancelAll(reason: "interrupted: this host lost its lease in the shared store") }
                    },
                    slotsFreed: { [weak table] in table?.slotsFreed() }))
        }
        let notifier = self.notifier
        table.setOnChange { [weak table] change in
            switch change {
            case .accepted(let record):
                runLog.accepted(record)
                metrics.runStarted(workflow: record.workflow.name)
                telemetry.noteUser(record.owner.user)
            case .started(let record): runLog.started(record)
            case .continued(let record): runLog.continued(record)
            case .resumed(let record): runLog.resumed(record)
            case .settled(let record):
                let summary = record.summary
                if summary.status == .paused { runLog.paused(summary) } else { runLog.ended(summary) }
                Daemon.observe(summary, cancelRequestedAt: record.cancelRequestedAt, metrics: metrics)
            }
            if let table { notifier.status(Daemon.status(table)) }
        }
    }

    /// What start-up does with a run a previous process left unfinished: a PAUSED run waits on; a PENDING or
    /// RUNNING one resumes unless its workflow says `on_restart: error`, is no longer loaded, or has other steps.
    static func restartDisposition(
        _ catalog: WorkflowCatalog,
        interrupted: @escaping @Sendable (RunSummary) -> String = { RunRecovery.endInterrupted($0).reason ?? "" }
    ) -> @Sendable (RunSummary) -> RunRecovery.Disposition {
        { run in
            if run.status == .paused { return .keep }
            let base = RunRecovery.Disposition.endWithError(interrupted(run))
            guard case .endWithError(let reason) = base else { return base }
            guard let workflow = catalog.workflows[run.workflow] else {
                return .endWithError("\(reason); its workflow '\(run.workflow)' is not loaded, so it could not resume")
            }
            if workflow.onRestart == .error { return base }
            guard RunTable.sameTree(run, workflow) else {
                return .endWithError("\(reason); the steps of workflow '\(run.workflow)' changed, so it could not resume")
            }
            return .keep
        }
    }

    static func status(_ table: RunTable) -> String {
        "\(table.activeCount) active runs, \(table.queuedCount) waiting"
    }

    static func loadWorkflows(_ config: DaemonConfig, parser: WorkflowParser, logger: Logger) -> WorkflowCatalog {
        let catalog = WorkflowCatalog.load(directory: config.workflowsDir, parser: parser)
        for problem in catalog.problems {
            logger.error("workflow refused: \(problem)")
        }
        logger.info(
            "workflows loaded",
            metadata: ["count": "\(catalog.workflows.count)", "names": "\(catalog.sorted.map(\.name).joined(separator: ","))"])
        return catalog
    }

    /// Starts the MCP servers, then offers their tools and checks the workflows again against them.
    func startToolServers() async {
        guard !context.mcp.servers.isEmpty else { return }
        await context.mcp.startAll()
        let config = context.config
        context.replace(config: config, catalog: context.catalog, models: context.models)  // the registry, with their tools
        let catalog = Daemon.loadWorkflows(config, parser: context.workflowParser, logger: logger)
        context.replace(config: config, catalog: catalog, models: context.models)
        for server in context.mcp.servers {
            if let failure = server.lastFailure, server.tools == nil {
                logger.error(
                    "MCP server not available; its tools fail until it starts",
                    metadata: ["mcp_server": "\(server.config.name)", "error": "\(failure)"])
            }
        }
    }

    /// The socket: systemd's when socket-activated, else the configured path.
    func listener() -> Listener {
        let inherited = ListenSockets.take()
        if inherited.count > 1 {
            logger.warning(
                "systemd passed \(inherited.count) sockets; using the first",
                metadata: ["names": "\(inherited.map(\.name).joined(separator: ","))"])
        }
        if let first = inherited.first { return .inherited(fd: first.fd, name: first.name) }
        return .path(context.config.socket)
    }

    /// Serves until SIGTERM or SIGINT; returns once everything is stopped and stored.
    public func run() async throws {
        // Before any run goes on, so that resumed runs have their spans too.
        let tracing = try TracingSetup.service(context.config.tracing, logger: logger)
        await startToolServers()
        await Daemon.resume(resumable, context: context, logger: logger)
        let listener = listener()
        let watchdog = startWatchdog()
        let onListening: @Sendable () -> Void = {
            self.logger.notice(
                "listening",
                metadata: [
                    "socket": "\(listener.description)", "version": "\(Daemon.version)", "message_id": "\(MessageID.daemonReady.rawValue)",
                ])
            self.notifier.ready(status: Daemon.status(self.context.table))
        }
        // Started in this order, stopped in the reverse one (SIGTERM/SIGINT): the drain first (stop accepting,
        // end the runs within the grace), then the connections, the tool servers, and the store last.
        // Tracing first, so that it stops last and still sends the spans of the runs the drain ends.
        var services: [any Service] = tracing.map { [$0] } ?? []
        services += [
            StoreService(writer: writer, opened: opened, logger: logger),
            ClusterService(cluster: opened.cluster),
            ToolServersService(context: context),
            SocketService(server: server, listener: listener, onListening: onListening),
            RunDrainService(context: context, server: server, notifier: notifier, logger: logger),
            RetentionService(context: context, logger: logger),
            MetricsService(
                listen: context.config.metrics.listen,
                render: { [context] in context.telemetry.exposition(table: context.table, openMetrics: $0) },
                logger: logger),
            ReloadService(daemon: self),
        ]
        var configuration = ServiceGroupConfiguration(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // A backstop only: the drain bounds itself by shutdown_grace, then 5 s for the last `end` frames.
        configuration.maximumGracefulShutdownDuration = .seconds(context.config.shutdownGrace + 30)
        defer { watchdog?.cancel() }
        try await ServiceGroup(configuration: configuration).run()
        if case .path(let path) = listener { try? FileManager.default.removeItem(atPath: path) }
        logger.info("stopped")
    }

    /// Pings systemd's watchdog at half its interval from the event loop that serves the socket, as long as
    /// that loop runs and the store writer is not stuck in one commit.
    func startWatchdog() -> RepeatedTask? {
        guard let interval = notifier.watchdogInterval() else { return nil }
        let half = interval / 2
        let nanos = Int64(half.components.seconds) * 1_000_000_000 + half.components.attoseconds / 1_000_000_000
        logger.info("watchdog on", metadata: ["interval_ms": "\(nanos * 2 / 1_000_000)"])
        let writer = self.writer
        let notifier = self.notifier
        return MultiThreadedEventLoopGroup.singleton.next().scheduleRepeatedTask(initialDelay: .zero, delay: .nanoseconds(nanos)) { _ in
            if writer.isResponsive(within: interval) { notifier.watchdog() }
        }
    }
}
