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
    private let current: Mutex<Current>

    struct Current: Sendable {
        var config: DaemonConfig
        var catalog: WorkflowCatalog
        var models: ModelResolver
        var tools: ToolRegistry
        var adminGID: UInt32?
    }

    init(table: RunTable, logger: Logger, version: String, config: DaemonConfig, catalog: WorkflowCatalog, models: ModelResolver, toolHost: ToolHost, mcp: MCPHub) {
        self.table = table
        self.toolHost = toolHost
        self.mcp = mcp
        self.logger = logger
        self.version = version
        self.current = Mutex(Current(config: config, catalog: catalog, models: models, tools: DaemonContext.registry(toolHost, mcp, config),
                                     adminGID: config.adminGroup.flatMap(UserDirectory.groupID)))
    }

    var config: DaemonConfig { current.withLock { $0.config } }
    var catalog: WorkflowCatalog { current.withLock { $0.catalog } }
    var models: ModelResolver { current.withLock { $0.models } }
    var tools: ToolRegistry { current.withLock { $0.tools } }

    func replace(config: DaemonConfig, catalog: WorkflowCatalog, models: ModelResolver) {
        let tools = DaemonContext.registry(toolHost, mcp, config)
        current.withLock { $0 = Current(config: config, catalog: catalog, models: models, tools: tools, adminGID: config.adminGroup.flatMap(UserDirectory.groupID)) }
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
        let adminGID = current.withLock { $0.adminGID }
        var admin = peer.uid == 0
        if !admin, let adminGID {
            admin = peer.gid == adminGID || UserDirectory.groups(user: name, primaryGID: peer.gid).contains(adminGID)
        }
        return Caller(uid: peer.uid, gid: peer.gid, user: name, isAdmin: admin)
    }
}
