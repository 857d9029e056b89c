/// agnod.yaml `mcp_servers.NAME`: a tool server agnod starts and talks MCP to over stdin/stdout.
public struct MCPServerConfig: Sendable, Equatable {
    /// Also the prefix of its tools in workflows (`NAME.tool`).
    public var name: String
    public var command: String
    public var arguments: [String] = []
    /// Added to the few variables a server always gets (PATH, HOME, LANG, TZ); agnod's own environment,
    /// which may hold model API keys, is not passed on.
    public var environment: [String: String] = [:]
    public var directory: String?
    /// Starting it and listing its tools.
    public var startTimeout: Double = 30
    /// One tool call.
    public var callTimeout: Double = 60
    /// After a cancelled or timed-out call, how long the server has to answer a ping before it is killed and
    /// restarted (a server stuck in the call would otherwise hold every later call).
    public var cancelGrace: Double = 2

    public init(name: String, command: String) {
        self.name = name
        self.command = command
    }

    /// Whether `name` can prefix tool names (`[A-Za-z0-9_-]`, as a function name).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 32 && name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
