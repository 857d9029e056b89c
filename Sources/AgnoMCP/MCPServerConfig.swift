/// agnod.yaml `mcp_servers.NAME`: a tool server agnod talks MCP to, either a command it starts (stdio) or a
/// remote server's streamable-HTTP endpoint (`url`).
public struct MCPServerConfig: Sendable, Equatable {
    /// Also the prefix of its tools in workflows (`NAME.tool`).
    public var name: String
    /// stdio: the program and its arguments.
    public var command: String
    public var arguments: [String] = []
    /// Added to the few variables a server always gets (PATH, HOME, LANG, TZ); agnod's own environment,
    /// which may hold model API keys, is not passed on.
    public var environment: [String: String] = [:]
    public var directory: String?
    /// Streamable HTTP: the endpoint (e.g. `http://127.0.0.1:8000/mcp`); set instead of `command`.
    public var url: String?
    /// Streamable HTTP: extra request headers (not secrets: those come from `bearer_token_env`/`_credential`).
    public var headers: [String: String] = [:]
    /// Streamable HTTP: where the bearer token is (an environment variable, or a systemd credential).
    public var bearerTokenEnv: String?
    public var bearerTokenCredential: String?
    /// Starting it and listing its tools.
    public var startTimeout: Double = 30
    /// One tool call.
    public var callTimeout: Double = 60
    /// After a cancelled or timed-out call, how long the server has to answer a ping before it is killed and
    /// restarted (a server stuck in the call would otherwise hold every later call); for an HTTP server, its
    /// session is dropped and a new one starts on the next call.
    public var cancelGrace: Double = 2

    public init(name: String, command: String) {
        self.name = name
        self.command = command
    }

    public init(name: String, url: String) {
        self.name = name
        self.command = ""
        self.url = url
    }

    /// A url as agnod shows it in messages: without user info or query (either may hold a secret).
    public static func shown(url: String) -> String { HTTPTransport.shown(url) }

    /// Whether `name` can prefix tool names (`[A-Za-z0-9_-]`, as a function name).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 32 && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
