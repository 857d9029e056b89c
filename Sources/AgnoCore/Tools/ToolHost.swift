import AsyncHTTPClient

/// What the daemon's tools share and must shut down: one HTTP client for tools that call out (timeouts are
/// set per request, so a reload never needs a new client). Builds the tool registry from the configuration.
public final class ToolHost: Sendable {
    let httpClient: HTTPClient

    public init() {
        var config = HTTPClient.Configuration()
        config.decompression = .enabled(limit: .size(16 << 20))
        config.connectionPool = .init(idleTimeout: .seconds(30))
        config.redirectConfiguration = .follow(max: 5, allowCycles: false)
        // A tool that cannot connect should tell the model at once (no network, a host that is down), not retry
        // until its deadline: the model can go on without it.
        config.connectionPool.retryConnectionEstablishment = false
        config.timeout.connect = .seconds(5)
        httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    /// Every tool name a workflow may list, whatever the configuration.
    public static var knownNames: Set<String> { ToolRegistry.builtIn.names.union(["web_search"]) }

    /// The built-ins plus `web_search` on the configured backend.
    public func registry(webSearch: WebSearchConfig) -> ToolRegistry {
        var registry = ToolRegistry.builtIn
        registry.register("web_search", [WebSearchTool(config: webSearch, client: httpClient)])
        return registry
    }

    public func shutdown() async {
        try? await httpClient.shutdown()
    }
}
