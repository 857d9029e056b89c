import AgnoCore
import Logging

/// The configured MCP servers: started together at agnod's start, their tools offered to workflows as
/// `server.tool` (and `server.*` for all of them), stopped at exit.
public final class MCPHub: Sendable {
    public let servers: [MCPServer]

    public init(configs: [MCPServerConfig], logger: Logger) {
        servers = configs.map { MCPServer(config: $0, logger: logger) }
    }

    /// Starts every server at once; returns when each has listed its tools or failed (failures are logged
    /// and retried on the first call).
    public func startAll() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers {
                group.addTask { _ = try? await server.start() }
            }
        }
    }

    /// Toolkits for the registry: `server.tool` → that tool, `server.*` → all of the server's tools.
    public var toolkits: [String: [any Tool]] {
        var kits: [String: [any Tool]] = [:]
        for server in servers {
            guard let tools = server.tools else { continue }
            let all = tools.map { MCPTool(server: server, toolName: $0.name, description: $0.description, inputSchema: $0.inputSchema) }
            for tool in all { kits["\(server.config.name).\(tool.toolName)"] = [tool] }
            kits["\(server.config.name).*"] = all
        }
        return kits
    }

    /// Servers that have not listed tools (not started yet, or failed to).
    public var unlisted: Set<String> { Set(servers.filter { $0.tools == nil }.map(\.config.name)) }

    public func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for server in servers { group.addTask { await server.stop() } }
        }
    }
}
