import AgnoCore
import AgnoMCP
import AgnoProtocol
import Logging
import Synchronization

/// The daemon's parts that request handlers use. Configuration and workflows can be swapped on reload.
final class DaemonContext: Sendable {
    let table: RunTable
    let logger: Logger
    let version: String
    let retiredModels = RetiredModels()
    let requests = RequestGauge()
    let toolHost: ToolHost
    let mcp: MCPHub
    let telemetry: DaemonTelemetry
    private let current: Mutex<Current>

    struct Current: Sendable {
        var config: DaemonConfig
        var catalog: WorkflowCatalog
        var models: ModelResolver
        var tools: ToolRegistry
    }

    init(
        table: RunTable, logger: Logger, version: String, config: DaemonConfig, catalog: WorkflowCatalog, models: ModelResolver,
        toolHost: ToolHost, mcp: MCPHub, telemetry: DaemonTelemetry = DaemonTelemetry(enabled: false)
    ) {
        self.table = table
        self.telemetry = telemetry
        self.toolHost = toolHost
        self.mcp = mcp
        self.logger = logger
        self.version = version
        self.current = Mutex(
            Current(config: config, catalog: catalog, models: models, tools: DaemonContext.registry(toolHost, mcp, config)))
        warnIfAdminGroupIsMissing(config)
    }

    var config: DaemonConfig { current.withLock { $0.config } }
    var catalog: WorkflowCatalog { current.withLock { $0.catalog } }
    var models: ModelResolver { current.withLock { $0.models } }
    var tools: ToolRegistry { current.withLock { $0.tools } }

    func replace(config: DaemonConfig, catalog: WorkflowCatalog, models: ModelResolver) {
        let tools = DaemonContext.registry(toolHost, mcp, config)
        current.withLock { $0 = Current(config: config, catalog: catalog, models: models, tools: tools) }
        warnIfAdminGroupIsMissing(config)
    }

    /// When the warning about a missing admin group was last logged (once a minute at most while it is missing).
    private let adminGroupWarned = Mutex<ContinuousClock.Instant?>(nil)

    /// The admin group is looked up by name for every connection, so a group created (or a member added)
    /// after agnod started counts at once; while it does not exist, that is said in the log.
    private func adminGID(_ config: DaemonConfig) -> UInt32? {
        guard let group = config.adminGroup else { return nil }
        if let gid = UserDirectory.groupID(name: group) { return gid }
        let now = ContinuousClock.now
        let warn = adminGroupWarned.withLock { last -> Bool in
            if let last, now - last < .seconds(60) { return false }
            last = now
            return true
        }
        if warn {
            logger.warning(
                "admin_group does not exist: nobody but root is an admin until it is created",
                metadata: ["admin_group": "\(group)"])
        }
        return nil
    }

    private func warnIfAdminGroupIsMissing(_ config: DaemonConfig) {
        adminGroupWarned.withLock { $0 = nil }
        _ = adminGID(config)
    }

    /// Built-ins, web_search, and the MCP servers' tools listed so far.
    static func registry(_ host: ToolHost, _ mcp: MCPHub, _ config: DaemonConfig) -> ToolRegistry {
        var registry = host.registry(webSearch: config.webSearch)
        for (name, tools) in mcp.toolkits { registry.register(name, tools) }
        return registry
    }

    /// What workflows may name: every registered tool; any `server.tool` of a server not listed yet.
    var workflowParser: WorkflowParser {
        WorkflowParser(knownTools: tools.names.union(ToolHost.knownNames), unlistedServers: mcp.unlisted)
    }

    /// Who a peer is: its user name, and whether it is an admin (root, or in the admin group).
    func caller(for peer: PeerCredentials) -> Caller {
        let name = UserDirectory.userName(uid: peer.uid)
        var admin = peer.uid == 0
        if !admin, let adminGID = adminGID(config) {
            admin = peer.gid == adminGID || UserDirectory.groups(user: name, primaryGID: peer.gid).contains(adminGID)
        }
        return Caller(uid: peer.uid, gid: peer.gid, user: name, isAdmin: admin)
    }
}
