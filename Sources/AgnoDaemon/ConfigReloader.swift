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
        /// A setting a running agnod cannot change: the old value stays, and the warning names it.
        func keep<Value: Equatable>(_ name: String, _ key: WritableKeyPath<DaemonConfig, Value>) {
            guard new[keyPath: key] != old[keyPath: key] else { return }
            if !restartOnly.contains(name) { restartOnly.append(name) }
            new[keyPath: key] = old[keyPath: key]
        }
        keep("socket", \.socket)
        keep("state_dir", \.stateDir)
        keep("store.durability", \.durability)
        keep("store.page_cache_mb", \.pageCacheMB)
        keep("store", \.postgres)
        keep("store", \.storePassword)
        keep("metrics", \.metrics)
        keep("tracing", \.tracing)
        keep("mcp_servers", \.mcpServers)
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
