import AgnoCore
import AgnoMCP
import AgnoPostgres
import AgnoProtocol
import AgnoStore

/// The daemon's configuration (`/etc/agnod/agnod.yaml`); its keys are a contract (DESIGN.md).
public struct DaemonConfig: Sendable, Equatable {
    public var socket = "/run/agnod/agnod.sock"
    public var stateDir = "/var/lib/agnod"
    public var workflowsDir = "/etc/agnod/workflows"
    public var adminGroup: String? = "agnod-admin"
    public var providers: [ProviderConfig] = []
    public var defaultModel: String?
    public var limits = RunLimits()
    public var connectionsPerUser = 64
    /// Requests one connection may have in flight at once (streams included).
    public var requestsPerConnection = 256
    /// Longest request line, in bytes.
    public var maxLineBytes = LineFramer.defaultMaxLineLength
    /// Events a live subscriber may have buffered before it falls back to catching up from the store.
    public var subscriberBuffer = 1024
    /// Tool calls per run when a workflow does not set `tool_call_limit`.
    public var toolCallLimit = 20
    /// `tools.web_search`: the search backend and its limits.
    public var webSearch = WebSearchConfig()
    /// `mcp_servers`: tool servers agnod starts (stdio) and offers as `server.tool`.
    public var mcpServers: [MCPServerConfig] = []
    /// What a stored event survives: `process` (agnod crashing) or `power` (also power loss); docs/store.md.
    public var durability = StoreDurability.process
    /// `store.page_cache_mb`: the SQLite store's shared cache of event pages that readers read twice (fan-out
    /// replays); 0 turns it off.
    public var pageCacheMB = SQLiteRunStore.defaultPageCacheBytes >> 20
    /// `store.backend: postgres`: the shared PostgreSQL store (several hosts); nil for SQLite in `state_dir`.
    public var postgres: PostgresStoreConfiguration?
    /// Where the PostgreSQL password comes from (never the configuration file itself).
    public var storePassword = SecretSource()
    /// Which finished runs are deleted, and how often that is checked.
    public var retention = RetentionPolicy()
    /// On SIGTERM, how long running runs may go on to finish before they are cancelled (0: cancel at once).
    public var shutdownGrace: Double = 0
    /// Counting and timing (the `metrics` op; an HTTP endpoint when `listen` is set).
    public var metrics = MetricsConfig()
    /// OpenTelemetry spans over OTLP/HTTP (off unless an endpoint is set).
    public var tracing = TracingConfig()
    /// The file it was read from, if any.
    public var file: String?

    public init() {}

    /// Values given on the command line win over the file.
    public struct Overrides: Sendable {
        public var socket: String?
        public var stateDir: String?
        public var workflowsDir: String?
        public init(socket: String? = nil, stateDir: String? = nil, workflowsDir: String? = nil) {
            self.socket = socket
            self.stateDir = stateDir
            self.workflowsDir = workflowsDir
        }
    }

    public mutating func apply(_ overrides: Overrides) {
        if let v = overrides.socket { socket = v }
        if let v = overrides.stateDir { stateDir = v }
        if let v = overrides.workflowsDir { workflowsDir = v }
    }
}
