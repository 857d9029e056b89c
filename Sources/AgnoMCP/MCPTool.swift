import AgnoCore
import AgnoProtocol

/// One tool of an MCP server, as a function the model may call. Its name for the model is
/// `server_tool` (function names allow no dots); workflows list it as `server.tool`.
struct MCPTool: Tool {
    let server: MCPServer
    let toolName: String
    let name: String
    let description: String
    let parameters: JSONValue

    init(server: MCPServer, toolName: String, description: String?, inputSchema: JSONValue) {
        self.server = server
        self.toolName = toolName
        self.name = Self.functionName(server: server.config.name, tool: toolName)
        self.description = description ?? "\(toolName) (MCP server \(server.config.name))"
        // A schema must at least be an object schema for the model APIs.
        if case .object = inputSchema, inputSchema["type"] != nil {
            self.parameters = inputSchema
        } else {
            self.parameters = .object([("type", "object"), ("properties", .object([]))])
        }
    }

    static func functionName(server: String, tool: String) -> String {
        let raw = "\(server)_\(tool)"
        let cleaned = String(raw.map { c -> Character in
            c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") ? c : "_"
        })
        return String(cleaned.prefix(64))
    }

    func call(_ arguments: JSONValue) async throws -> String {
        try await server.call(tool: toolName, arguments: arguments)
    }
}
