import AgnoCore
import AsyncHTTPClient
import Foundation
import Logging
import MCP

/// A remote MCP server's streamable-HTTP endpoint: one MCP session (`Mcp-Session-Id`) per connection. The
/// server may end the session (HTTP 404); agnod then starts a new one, and a call the server refused that way
/// is sent again on the new session.
struct HTTPConnection: MCPConnection {
    let http: HTTPTransport
    let notice: EndNotice

    static func open(_ config: MCPServerConfig, client: HTTPClient) throws -> HTTPConnection {
        guard let url = config.url else { throw ToolError("MCP server '\(config.name)' has no url") }
        var headers = config.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        // Whatever a server echoes back is shown without these.
        var secrets = Array(config.headers.values) + HTTPTransport.secrets(in: url)
        if config.bearerTokenEnv != nil || config.bearerTokenCredential != nil {
            let token = ProviderConfig(name: config.name, baseURL: url, apiKeyEnv: config.bearerTokenEnv, apiKeyCredential: config.bearerTokenCredential).apiKey()
            guard let token else {
                let place = config.bearerTokenEnv.map { "the environment variable \($0)" } ?? "the credential \(config.bearerTokenCredential ?? "")"
                throw ToolError("its bearer token is not set for agnod (\(place))")
            }
            headers.append(("Authorization", "Bearer \(token)"))
            secrets.append(token)
        }
        let notice = EndNotice()
        // A call's answer may take up to call_timeout to begin (a server answering in JSON, not a stream).
        let deadline = max(config.startTimeout, config.callTimeout) + config.cancelGrace + 5
        let http = HTTPTransport(
            endpoint: url, client: client, headers: headers, secrets: secrets, requestTimeout: deadline, notice: notice,
            logger: Logger(label: "agnod.mcp.\(config.name)"))
        return HTTPConnection(http: http, notice: notice)
    }

    var transport: any Transport { http }
    var pid: pid_t? { nil }
    var subject: String { "the HTTP session" }
    var afterEnd: String { "a new session starts on the next call" }
    var endReason: String? { notice.reason }
    var endFailsCalls: Bool { false }

    /// How the transport says the server forgot the session.
    static let forgotten = "was ended by the server (HTTP 404: it no longer knows the session)"

    func countsAsFailure(_ reason: String) -> Bool { reason != Self.forgotten }

    func wasRefused(_ id: ID) async -> Bool { await http.wasRefused(id) }

    func onEnd(_ body: @escaping @Sendable (String) -> Void) { notice.onEnd(body) }

    func ended() async -> String { await notice.ended() }

    func kill() {
        notice.end("was closed by agnod (the server did not answer after a cancelled call)")
        let http = self.http
        Task { await http.close() }
    }

    func stop(grace: Duration) async {
        notice.end("was closed by agnod")
        await http.close()
    }
}
