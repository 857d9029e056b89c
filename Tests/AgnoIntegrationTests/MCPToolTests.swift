import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// MCP tools through the real agnod: configured in agnod.yaml, listed in workflows as `server.tool`,
/// called by the model, cancelled with the run. Servers from PyPI (scripts/setup-mcp.sh) and a fixture.
@Suite(.serialized, .enabled(if: MCPServers.available, "needs the MCP servers from PyPI (AGNOD_TEST_MCP_VENV, AGNOD_TEST_MCP1_VENV; scripts/test.sh installs them)"))
struct MCPToolTests {
    @Test func aResearchStepCallsMCPServerTimeFromPyPIAndCompletes() async throws {
        let model = ScriptedModelServer { body, _ in
            let last = body["messages"]?.arrayValue?.last
            if last?["role"]?.stringValue == "tool" { return .text(["It is ", last?["content"]?.stringValue ?? "?"]) }
            return .toolCall(name: "time_get_current_time", arguments: #"{"timezone": "UTC"}"#)
        }
        let h = try await Harness(models: ["m": model], workflows: ["research.yaml": Fixtures.oneStep("research", model: "m:x", tools: ["time.get_current_time"])],
                                  extra: [("mcp_servers", .object([("time", MCPServers.time)]))])
        defer { h.shutdownNow() }
        #expect(h.daemon.logText.contains("MCP server started"))
        let c = try h.connect()
        let (_, id) = try c.startStreaming("research", input: "what time is it?")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let completed = cap.events.first { $0.event["event"]?.stringValue == "ToolCallCompleted" }?.event["tool"]
        #expect(completed?["name"]?.stringValue == "time_get_current_time")
        #expect(completed?["result"]?.stringValue?.contains("\"datetime\"") == true)
        #expect(cap.end?.content?.contains("+00:00") == true)
        // The model was offered the server's tool with the server's own schema.
        let offered = model.stats.requests.first?["tools"]?.arrayValue?.first?["function"]
        #expect(offered?["name"]?.stringValue == "time_get_current_time")
        #expect(offered?["parameters"]?["properties"]?["timezone"] != nil)
    }

    @Test func aRunCancelledWhileAnMCPToolHangsEndsCancelledAndTheToolProcessIsGone() async throws {
        let watcher = CannedHTTPServer { _ in .hang }
        try await watcher.start()
        let model = ScriptedModelServer { body, _ in
            if body["tools"] == nil { return .text(["done"]) }
            let wantsEcho = body["messages"]?.arrayValue?.contains { $0["content"]?.stringValue == "echo" } == true
            return wantsEcho ? .toolCall(name: "t_echo", arguments: #"{"text": "still here"}"#) : .toolCall(name: "t_hang", arguments: "{}")
        }
        let wf = Fixtures.oneStep("t", model: "m:x", tools: ["t.*"]).replacingOccurrences(of: "name: t\n", with: "name: t\ntool_call_limit: 1\n")
        let h = try await Harness(models: ["m": model], workflows: ["t.yaml": wf],
                                  extra: [("mcp_servers", .object([("t", MCPServers.fixture(notify: watcher.baseURL))]))])
        defer { h.shutdownNow() }
        let a = try h.connect(), b = try h.connect()
        let (runID, id) = try a.startStreaming("t", input: "hang")
        var cap = StreamCapture()
        try a.capture(id, into: &cap) { $0.names.contains("ToolCallStarted") }
        // the tool runs, and its server is stuck in it
        guard await awaitEvent("the hang tool running", { await watcher.waitForRequests(1) }) else { return }
        _ = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        try a.capture(id, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect(cap.names.last == "WorkflowCancelled")
        #expect(!cap.names.contains("ToolCallCompleted"))
        // The stuck server did not answer a ping within cancel_grace: its process (group) is killed, which
        // closes the request it held.
        await awaitEvent("the hung server process dying", { await watcher.waitForAbandoned(1) })
        #expect(h.daemon.waitForLog("killing it"))
        // The next run gets a fresh server.
        let (_, id2) = try a.startStreaming("t", input: "echo")
        var next = StreamCapture()
        try a.capture(id2, into: &next)
        let result = next.events.first { $0.event["event"]?.stringValue == "ToolCallCompleted" }?.event["tool"]?["result"]?.stringValue
        #expect(result == "still here")
        await watcher.stop()
    }

    @Test func aStepCallsAStreamableHTTPServerAndARunCancelledInsideItsToolEndsCancelled() async throws {
        let watcher = CannedHTTPServer { _ in .hang }
        try await watcher.start()
        let server = try MCPFixtureHTTPServer(python: "\(MCPServers.venv1!)/bin/python", script: MCPServers.fixtureScript,
                                              environment: ["AGNOD_TEST_NOTIFY_URL": watcher.baseURL])
        let model = ScriptedModelServer { body, _ in
            let messages = body["messages"]?.arrayValue ?? []
            if let result = messages.last, result["role"]?.stringValue == "tool" { return .text(["got ", result["content"]?.stringValue ?? "?"]) }
            let wantsEcho = messages.contains { $0["content"]?.stringValue == "echo" }
            return wantsEcho ? .toolCall(name: "h_echo", arguments: #"{"text": "over http"}"#) : .toolCall(name: "h_hold", arguments: "{}")
        }
        let h = try await Harness(models: ["m": model], workflows: ["h.yaml": Fixtures.oneStep("h", model: "m:x", tools: ["h.echo", "h.hold"])],
                                  extra: [("mcp_servers", .object([("h", .object([("url", .string(server.url)), ("cancel_grace", 5)]))]))])
        defer { h.shutdownNow() }
        let c = try h.connect(), other = try h.connect()
        let (_, first) = try c.startStreaming("h", input: "echo")
        var done = StreamCapture()
        try c.capture(first, into: &done)
        #expect(done.end?.status == .completed, "\(done.end?.error ?? "")")
        #expect(done.end?.content == "got over http")

        // `hold` holds a request to the watcher open; the run is cancelled meanwhile.
        let (runID, second) = try c.startStreaming("h", input: "hold")
        var cap = StreamCapture()
        try c.capture(second, into: &cap) { $0.names.contains("ToolCallStarted") }
        guard await awaitEvent("the hold tool running", { await watcher.waitForRequests(1) }) else { return }
        _ = try other.resultOf(.cancel(CancelRequest(runID: runID)))
        try c.capture(second, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect(!cap.names.contains("ToolCallCompleted") && !cap.names.contains("ToolCallError"))
        // The server was told, and stopped the tool: its held request closed.
        await awaitEvent("the hold tool stopping", { await watcher.waitForAbandoned(1) })
        // The server was told and stays usable: the next run's call goes through.
        let (_, third) = try c.startStreaming("h", input: "echo")
        var again = StreamCapture()
        try c.capture(third, into: &again)
        #expect(again.end?.content == "got over http")
        h.shutdownNow()
        server.stop()
        await watcher.stop()
    }

    @Test func workflowsNamingMCPToolsAreCheckedAgainstWhatTheServerLists() async throws {
        let model = ScriptedModelServer(.words("ok", count: 1))
        let h = try await Harness(models: ["m": model], workflows: [
            "good.yaml": Fixtures.oneStep("good", model: "m:x", tools: ["time.convert_time"]),
            "bad.yaml": Fixtures.oneStep("bad", model: "m:x", tools: ["time.teleport"]),
        ], extra: [("mcp_servers", .object([("time", MCPServers.time)]))])
        defer { h.shutdownNow() }
        let names = try h.connect().resultOf(.workflows(WorkflowsRequest()))["workflows"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["good"])
        #expect(h.daemon.logText.contains("unknown tool 'time.teleport'"))
    }
}

enum MCPServers {
    static let venv = ProcessInfo.processInfo.environment["AGNOD_TEST_MCP_VENV"]
    static let venv1 = ProcessInfo.processInfo.environment["AGNOD_TEST_MCP1_VENV"]
    static var available: Bool { venv != nil && venv1 != nil }

    static var time: JSONValue {
        .object([("command", .string("\(venv!)/bin/mcp-server-time")), ("args", .array(["--local-timezone", "UTC"]))])
    }

    static var fixtureScript: String { RealModel.repoRoot.appendingPathComponent("Tests/AgnoMCPTests/Fixtures/test_server.py").path }

    static func fixture(notify: String) -> JSONValue {
        .object([
            ("command", .array([.string("\(venv1!)/bin/python"), .string(fixtureScript)])),
            ("env", .object([("AGNOD_TEST_NOTIFY_URL", .string(notify))])),
            ("cancel_grace", .double(0.5)),
        ])
    }
}
