import AgnoCore
import AgnoSystemd
import Foundation

/// SIGHUP (`systemctl reload agnod`): re-reads the configuration file and the workflows without dropping
/// connections or runs. A configuration that does not load is refused whole and the old one kept; a workflow
/// file that does not load keeps its previous version. Settings that need a restart (socket, state_dir,
/// the store) keep their old values, with a warning.
struct ConfigReloader {
    let daemon: Daemon

    func reload() {
        let context = daemon.context
        let logger = daemon.logger
        daemon.notifier.reloading()
        defer { daemon.notifier.ready(status: Daemon.status(context.table)) }
        let old = context.config
        guard let file = old.file else {
            logger.warning("reload: agnod was started without a configuration file; reloading the workflows only")
            return apply(old, old: old)
        }
        var new: DaemonConfig
        do {
            new = try DaemonConfigParser.load(path: file)
        } catch {
            logger.error("reload refused, keeping the current configuration: \(error)")
            return
        }
        new.apply(daemon.overrides)
        var restartOnly: [String] = []
        if new.socket != old.socket {
            restartOnly.append("socket")
            new.socket = old.socket
        }
        if new.stateDir != old.stateDir {
            restartOnly.append("state_dir")
            new.stateDir = old.stateDir
        }
        if new.durability != old.durability {
            restartOnly.append("store.durability")
            new.durability = old.durability
        }
        if new.postgres != old.postgres || new.storePassword != old.storePassword {
            restartOnly.append("store")
            new.postgres = old.postgres
            new.storePassword = old.storePassword
        }
        if new.metrics != old.metrics {
            restartOnly.append("metrics")
            new.metrics = old.metrics
        }
        if new.tracing != old.tracing {
            restartOnly.append("tracing")
            new.tracing = old.tracing
        }
        if new.mcpServers != old.mcpServers {
            restartOnly.append("mcp_servers")
            new.mcpServers = old.mcpServers
        }
        if !restartOnly.isEmpty {
            logger.warning("reload: \(restartOnly.joined(separator: ", ")) changed in \(file); that takes effect only when agnod restarts")
        }
        apply(new, old: old)
    }

    private func apply(_ new: DaemonConfig, old: DaemonConfig) {
        let context = daemon.context
        let logger = daemon.logger
        let loaded = Daemon.loadWorkflows(new, parser: context.workflowParser, logger: logger)
        let (catalog, kept) = loaded.keepingRefused(from: context.catalog)
        if !kept.isEmpty {
            logger.warning("reload: kept the previous version of \(kept.joined(separator: ", ")) because its file was refused")
        }
        var models = context.models
        if new.providers != old.providers || new.defaultModel != old.defaultModel {
            context.retiredModels.retire(models)
            models = ModelResolver(providers: new.providers, defaultModel: new.defaultModel)
        }
        context.replace(config: new, catalog: catalog, models: models)
        context.table.setLimits(new.limits)
        logger.notice(
            "configuration reloaded",
            metadata: [
                "workflows": "\(catalog.workflows.count)", "message_id": "\(MessageID.daemonReloaded.rawValue)",
            ])
    }
}
