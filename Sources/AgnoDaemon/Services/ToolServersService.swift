import AgnoCore
import ServiceLifecycle

/// Model connections, built-in tools and MCP servers: stopped once no run can use them any more.
struct ToolServersService: Service {
    let context: DaemonContext

    func run() async throws {
        try? await gracefulShutdown()
        await context.models.shutdown()
        await context.retiredModels.shutdownAll()
        await context.toolHost.shutdown()
        await context.mcp.stopAll()
    }
}
