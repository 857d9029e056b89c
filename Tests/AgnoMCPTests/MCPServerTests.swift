import AgnoCore
import AgnoProtocol
import AgnoTesting
import Foundation
import Synchronization
import Testing
@testable import AgnoMCP

/// MCP servers as agnod runs them: real servers from PyPI and a fixture server, over stdio.
@Suite(.serialized, .enabled(if: MCPTestSupport.available, MCPTestSupport.skipReason))
struct MCPServerTests {
    @Test func mcpServerTimeFromPyPIListsItsToolsAndAnswers() async throws {
        let server = MCPTestSupport.pypi("time", command: "mcp-server-time", arguments: ["--local-timezone", "UTC"])
        let tools = try await server.start()
        #expect(Set(tools.map(\.name)).isSuperset(of: ["get_current_time", "convert_time"]))
        #expect(tools.first { $0.name == "get_current_time" }?.inputSchema["properties"]?["timezone"] != nil)
        let answer = try JSONValue.parse(try await server.call(tool: "get_current_time", arguments: .object([("timezone", "UTC")])))
        #expect(answer["timezone"]?.stringValue == "UTC")
        #expect(answer["datetime"]?.stringValue?.hasSuffix("+00:00") == true)
        // The server's own error, for the model.
        let error = await #expect(throws: ToolError.self) {
            try await server.call(tool: "get_current_time", arguments: .object([("timezone", "Mars/Olympus_Mons")]))
        }
        #expect(error?.message.contains("Mars/Olympus_Mons") == true)
        await server.stop()
    }

    @Test func mcpServerCalculatorFromPyPICalculates() async throws {
        let server = MCPTestSupport.pypi("calc", command: "mcp-server-calculator", venv: MCPTestSupport.venv1)
        let tools = try await server.start()
        #expect(tools.map(\.name).contains("calculate"))
        #expect(try await server.call(tool: "calculate", arguments: .object([("expression", "6 * 7")])).contains("42"))
        await server.stop()
    }

    @Test func mcpServerFetchFromPyPIReadsALoopbackPage() async throws {
        let page = CannedHTTPServer { request in
            request.uri == "/robots.txt"
                ? .answer(contentType: "text/plain", body: "User-agent: *\nAllow: /\n")
                : .answer(contentType: "text/html", body: "<html><head><title>Dragons</title></head><body><h1>Dragons who code</h1><p>They write Swift on weekends.</p></body></html>")
        }
        try await page.start()
        // It refuses loopback addresses unless told otherwise (the page is on 127.0.0.1), and with Node.js on
        // PATH its readability step tries to `npm install` (no network here: it hangs); without, it uses Python.
        let server = MCPTestSupport.pypi("fetch", command: "mcp-server-fetch", arguments: ["--allow-private-ips"],
                                         environment: ["PATH": "\(MCPTestSupport.venv!)/bin"])
        let tools = try await server.start()
        #expect(tools.map(\.name).contains("fetch"))
        let text = try await server.call(tool: "fetch", arguments: .object([("url", .string(page.baseURL + "/dragons"))]))
        #expect(text.contains("They write Swift on weekends"))
        #expect(page.requests.contains { $0.uri == "/dragons" })
        await server.stop()
        await page.stop()
    }

    @Test func errorsFromTheServerAndItsEnvironmentAreWhatWasConfigured() async throws {
        let server = MCPTestSupport.fixture()
        try await server.start()
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "hi ü")])) == "hi ü")
        let failed = await #expect(throws: ToolError.self) { try await server.call(tool: "fail", arguments: .object([("reason", "no dragons today")])) }
        #expect(failed?.message.contains("no dragons today") == true)
        // Only what the config sets (and PATH, HOME, …) reaches the server: not agnod's own environment.
        setenv("AGNOD_TEST_SECRET_KEY", "sk-should-not-leak", 1)
        defer { unsetenv("AGNOD_TEST_SECRET_KEY") }
        await server.stop()
        let fresh = MCPTestSupport.fixture()
        #expect(try await fresh.call(tool: "environment", arguments: .object([("name", "AGNOD_TEST_SECRET_KEY")])) == "(unset)")
        #expect(try await fresh.call(tool: "environment", arguments: .object([("name", "AGNOD_TEST_PASSED")])) == "yes")
        await fresh.stop()
    }

    @Test func aServerThatExitsMidCallFailsTheCallAndRestartsOnTheNext() async throws {
        let server = MCPTestSupport.fixture()
        try await server.start()
        let first = try #require(server.pid)
        let error = await #expect(throws: ToolError.self) { try await server.call(tool: "crash", arguments: .object([])) }
        #expect(error?.message.contains("exited with status 3 during the call") == true, "\(error?.message ?? "")")
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "back")])) == "back")
        #expect(server.pid != first)
        #expect(server.generation == 2)
        await server.stop()
    }

    @Test func aServerThatKeepsDyingIsNotRestartedInALoop() async throws {
        let server = MCPTestSupport.fixture()
        for _ in 0..<5 {
            await #expect(throws: ToolError.self) { try await server.call(tool: "crash", arguments: .object([])) }
        }
        let error = await #expect(throws: ToolError.self) { try await server.call(tool: "echo", arguments: .object([("text", "x")])) }
        #expect(error?.message.contains("failed 5 times in the last minute (last: the process exited with status 3)") == true, "\(error?.message ?? "")")
        #expect(server.pid == nil)
    }

    @Test func aCancelledCallReturnsAtOnceAndAServerStuckInItIsKilledAndRestarted() async throws {
        let watcher = CannedHTTPServer { _ in .hang }
        try await watcher.start()
        let server = MCPTestSupport.fixture(notify: watcher.baseURL, cancelGrace: 0.5)
        try await server.start()
        let stuck = try #require(server.pid)
        let call = Task { try await server.call(tool: "hang", arguments: .object([])) }
        // the tool is running, and blocks the server
        guard await awaitEvent("the hang tool running", { await watcher.waitForRequests(1) }) else { return }
        call.cancel()
        let outcome = await call.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        // No answer to the ping within cancel_grace: the process is killed (its held request closes)…
        await awaitEvent("the stuck server process dying", { await watcher.waitForAbandoned(1) })
        // …and the next call gets a new one.
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "again")])) == "again")
        #expect(server.pid != stuck)
        await server.stop()
        await watcher.stop()
    }

    @Test func aCallThatTimesOutIsAnErrorAndTheStuckServerIsReplaced() async throws {
        let watcher = CannedHTTPServer { _ in .hang }
        try await watcher.start()
        let server = MCPTestSupport.fixture(notify: watcher.baseURL, cancelGrace: 0.3, callTimeout: 0.5)
        let error = await #expect(throws: ToolError.self) { try await server.call(tool: "hang", arguments: .object([])) }
        #expect(error?.message == "t.hang did not answer within 0.5 s (call_timeout)")
        await awaitEvent("the stuck server process dying", { await watcher.waitForAbandoned(1) })
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "ok")])) == "ok")
        await server.stop()
        await watcher.stop()
    }

    @Test func aServerThatHonoursTheCancelNotificationIsKept() async throws {
        let server = MCPTestSupport.fixture(cancelGrace: 5)
        try await server.start()
        let pid = try #require(server.pid)
        let call = Task { try await server.call(tool: "wait_forever", arguments: .object([])) }
        guard await awaitEvent("the call being sent", { await server.waitForCallsInFlight(1) }) else { return }
        call.cancel()
        let outcome = await call.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        // It answered the ping after notifications/cancelled: still the same process.
        #expect(await MCPTestSupport.abandonOutcome(of: server) == .kept)
        #expect(server.pid == pid)
        #expect(try await server.call(tool: "echo", arguments: .object([("text", "same")])) == "same")
        await server.stop()
    }

    @Test func aCommandThatIsNotThereIsAClearError() async throws {
        var config = MCPServerConfig(name: "nope", command: "/nonexistent/mcp-server")
        config.startTimeout = 5
        let server = MCPServer(config: config, logger: MCPTestSupport.logger)
        let error = await #expect(throws: ToolError.self) { try await server.start() }
        #expect(error?.message.contains("MCP server 'nope' could not start") == true)
        #expect(error?.message.contains("/nonexistent/mcp-server") == true, "\(error?.message ?? "")")
    }
}

/// What happened after an abandoned call, handed out of an escaping closure.
final class OutcomeBox: Sendable {
    private let state = Mutex<MCPServer.AbandonOutcome?>(nil)
    func set(_ outcome: MCPServer.AbandonOutcome?) { state.withLock { $0 = outcome } }
    var value: MCPServer.AbandonOutcome? { state.withLock { $0 } }
}
