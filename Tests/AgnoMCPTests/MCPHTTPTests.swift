import AgnoCore
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing
@testable import AgnoMCP

/// Streamable-HTTP MCP servers as agnod talks to them: the fixture server (python mcp 1.x FastMCP, from
/// PyPI) serving HTTP on a loopback port, answering in event streams (its default) or JSON bodies.
@Suite(.serialized, .enabled(if: MCPTestSupport.available, MCPTestSupport.skipReason))
struct MCPHTTPTests {
    static func hub(_ url: String, _ configure: (inout MCPServerConfig) -> Void = { _ in }) -> (MCPHub, MCPServer) {
        var config = MCPServerConfig(name: "h", url: url)
        configure(&config)
        let hub = MCPHub(configs: [config], logger: MCPTestSupport.logger)
        return (hub, hub.servers[0])
    }

    @Test(arguments: [false, true])
    func toolsAreListedAndCalledOverEventStreamsOrJSONWithTheSessionAndVersionOnEveryRequest(json: Bool) async throws {
        let fixture = try MCPTestSupport.httpFixture(json: json)
        let (hub, server) = Self.hub(fixture.url)
        let tools = try await server.start()
        #expect(Set(tools.map(\.name)).isSuperset(of: ["echo", "fail", "progress", "wait_forever"]))
        #expect(tools.first { $0.name == "echo" }?.inputSchema["properties"]?["text"] != nil)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "hi ü")])) == "hi ü")
        // Log messages come first on the call's stream; the answer after them.
        #expect(try await server.call(tool: "progress", arguments: .object([("steps", 5)])) == "done after 5 steps")
        let failed = await #expect(throws: ToolError.self) { try await server.call(tool: "fail", arguments: .object([("reason", "no dragons today")])) }
        #expect(failed?.message.contains("no dragons today") == true)
        // Many calls at once, each on its own stream.
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<20 { group.addTask { try await server.call(tool: "echo", arguments: .object([("text", .string("n\(n)"))])) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(answers == Set((0..<20).map { "n\($0)" }))
        await hub.stopAll()

        let requests = fixture.requests
        let first = try #require(requests.first)
        #expect(first.hasPrefix("POST /mcp session=- version=- accept='application/json, text/event-stream' rpc=initialize"))
        let session = try #require(requests.dropFirst().first?.split(separator: " ").first { $0.hasPrefix("session=") })
        #expect(session != "session=-")
        // Every later request carries the session and the negotiated version; the session is deleted at the end.
        for request in requests.dropFirst() {
            #expect(request.contains(" \(session) ") && request.contains("version=2025-"), "\(request)")
        }
        #expect(requests.last?.hasPrefix("DELETE /mcp \(session)") == true, "\(requests.last ?? "")")
        #expect(requests.filter { $0.hasSuffix("rpc=tools/call") }.count == 23)
        fixture.stop()
    }

    @Test func whenTheServerForgetsTheSessionANewOneStartsAndTheCallIsSentAgain() async throws {
        let fixture = try MCPTestSupport.httpFixture()
        let (hub, server) = Self.hub(fixture.url)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "one")])) == "one")
        // The server restarts (same port): it no longer knows agnod's session and answers 404.
        fixture.stop()
        let restarted = try MCPTestSupport.httpFixture(port: fixture.port, log: fixture.log)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "two")])) == "two")
        #expect(server.generation == 2)
        let calls = restarted.requests.filter { $0.contains("rpc=tools/call") || $0.contains("rpc=initialize") }
        #expect(calls.count == 5, "\(calls)")  // call, initialize (1st server); call → 404, initialize, call (2nd)

        // Again, with many calls at once: each one the server refused is sent again; none fails.
        restarted.stop()
        let again = try MCPTestSupport.httpFixture(port: fixture.port, log: fixture.log)
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for n in 0..<8 { group.addTask { try await server.call(tool: "echo", arguments: .object([("text", .string("n\(n)"))])) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(answers == Set((0..<8).map { "n\($0)" }))
        // Forgotten sessions are not failures: no lock-out however often it happens.
        for n in 0..<5 {
            again.stop()
            let next = try MCPTestSupport.httpFixture(port: fixture.port, log: fixture.log)
            #expect(try await server.call(tool: "echo", arguments: .object([("text", .string("r\(n)"))])) == "r\(n)")
            next.stop()
        }
        await hub.stopAll()
    }

    @Test func aCancelledCallReturnsAtOnceAndTheServerIsToldAndKept() async throws {
        let watcher = CannedHTTPServer { _ in .hang }
        try await watcher.start()
        let fixture = try MCPTestSupport.httpFixture(environment: ["AGNOD_TEST_NOTIFY_URL": watcher.baseURL])
        let (hub, server) = Self.hub(fixture.url) { $0.cancelGrace = 5 }
        try await server.start()
        let call = Task { try await server.call(tool: "hold", arguments: .object([])) }
        // `hold` holds a request to the watcher open while it runs (the server stays responsive).
        guard await awaitEvent("the hold tool running", { await watcher.waitForRequests(1) }) else { return }
        call.cancel()
        let outcome = await call.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        #expect(await MCPTestSupport.abandonOutcome(of: server) == .kept)
        // The server stopped the tool (its held request closed) because it was told.
        await awaitEvent("the hold tool stopping", { await watcher.waitForAbandoned(1) })
        let rpcs = fixture.requests.map { $0.components(separatedBy: "rpc=").last ?? "" }
        #expect(rpcs.suffix(2) == ["notifications/cancelled", "ping"], "\(rpcs)")
        #expect(server.generation == 1)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "same session")])) == "same session")
        await hub.stopAll()
        fixture.stop()
        await watcher.stop()
    }

    @Test func aServerStuckInACallLosesItsSessionAndTheNextCallOpensANewOne() async throws {
        let fixture = try MCPTestSupport.httpFixture()
        let (hub, server) = Self.hub(fixture.url) { $0.cancelGrace = 0.3; $0.callTimeout = 0.5 }
        try await server.start()
        // `block` stops the whole server for 2 s: no answer, no pong.
        let error = await #expect(throws: ToolError.self) { try await server.call(tool: "block", arguments: .object([("seconds", 2)])) }
        #expect(error?.message == "h.block did not answer within 0.5 s (call_timeout)")
        #expect(await MCPTestSupport.abandonOutcome(of: server) == .killed)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "new session")])) == "new session")
        #expect(server.generation == 2)
        await hub.stopAll()
        // Two sessions; the second one's end deleted it (the first was deleted best-effort while the server was stuck).
        let sessions = fixture.requests.filter { $0.hasPrefix("POST") }.compactMap { $0.split(separator: " ").first { $0.hasPrefix("session=") } }
        let distinct = Set(sessions).subtracting(["session=-"])
        #expect(distinct.count == 2)
        #expect(fixture.requests.last?.hasPrefix("DELETE /mcp \(sessions.last ?? "")") == true, "\(fixture.requests.last ?? "")")
        fixture.stop()
    }

    @Test func aServerThatIsNotThereOrRefusesSaysWhyWithoutTheToken() async throws {
        // Nothing listens on the port of a stopped server.
        let gone = try MCPTestSupport.httpFixture()
        gone.stop()
        let (hub1, nobody) = Self.hub(gone.url)
        let unreachable = await #expect(throws: ToolError.self) { try await nobody.start() }
        #expect(unreachable?.message.contains("MCP server 'h' could not start: cannot reach \(gone.url)") == true, "\(unreachable?.message ?? "")")
        await hub1.stopAll()

        // A wrong token: 401, and the server echoes what it got: agnod's token never shows.
        let fixture = try MCPTestSupport.httpFixture(token: "right-token-\(UUID().uuidString)")
        let variable = "AGNOD_TEST_MCP_TOKEN_\(getpid())"
        let wrong = "wrong-token-\(UUID().uuidString)"
        let inQuery = "query-secret-\(UUID().uuidString)"
        setenv(variable, wrong, 1)
        defer { unsetenv(variable) }
        let (hub2, refused) = Self.hub(fixture.url + "?key=\(inQuery)") { $0.bearerTokenEnv = variable; $0.headers = ["X-Team": "team"] }
        let denied = await #expect(throws: ToolError.self) { try await refused.start() }
        let message = denied?.message ?? ""
        #expect(message.contains("answered HTTP 401") && message.contains("bearer_token_env") && message.contains("got Bearer [redacted]"), "\(message)")
        #expect(!message.contains(wrong) && !message.contains(inQuery))
        await hub2.stopAll()

        // The right one works; a redirect is reported with where it points.
        let token = try #require(fixture.token)
        setenv(variable, token, 1)
        let (hub3, allowed) = Self.hub(fixture.url) { $0.bearerTokenEnv = variable }
        #expect(try await allowed.call(tool: "echo", arguments: .object([("text", "in")])) == "in")
        await hub3.stopAll()
        let (hub4, redirected) = Self.hub(fixture.url + "/") { $0.bearerTokenEnv = variable }
        let moved = await #expect(throws: ToolError.self) { try await redirected.start() }
        #expect(moved?.message.contains("redirects to \(fixture.url)") == true, "\(moved?.message ?? "")")
        await hub4.stopAll()
        fixture.stop()
    }
}
