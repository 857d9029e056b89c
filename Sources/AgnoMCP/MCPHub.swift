import AgnoCore
import AsyncHTTPClient
import Logging

/// The configured MCP servers: started together at agnod's start, their tools offered to workflows as
/// `server.tool` (and `server.*` for all of them), stopped at exit.
public final class MCPHub: Sendable {
    public let servers: [MCPServer]
    /// One HTTP client for the streamable-HTTP servers (none when there are none).
    private let httpClient: HTTPClient?

    public init(configs: [MCPServerConfig], logger: Logger) {
        httpClient = configs.contains { $0.url != nil } ? Self.makeHTTPClient() : nil
        servers = configs.map { [httpClient] in MCPServer(config: $0, logger: logger, httpClient: httpClient) }
    }

    private static func makeHTTPClient() -> HTTPClient {
        var config = HTTPClient.Configuration()
        // Every call in flight holds a connection while its answer streams: allow many to one server.
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        // A server that cannot be reached fails the call at once (the model goes on without it).
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout.connect = .seconds(5)
        // A POST must not be re-sent somewhere else: a redirect is reported with where it points.
        config.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
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
        try? await httpClient?.shutdown()
    }
}
