import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// SIGTERM: `shutdown_grace` bounds the stop. Runs still going after it are cancelled and stored, and agnod
/// exits 0, also when a model stalls (systemd would otherwise SIGKILL it after TimeoutStopSec).
@Suite struct ShutdownTests {
    @Test func aStalledModelDoesNotKeepAgnodFromExitingAfterTheGrace() async throws {
        let h = try await Harness(
            models: ["stall": .stalling()], workflows: ["hang.yaml": Fixtures.oneStep("hang", model: "stall:m")],
            extra: [("shutdown_grace", .string("2s"))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("hang", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.names.contains("RunContent") }
        // 2 s of grace, then the cancel; 20 s is far beyond what a bounded stop needs.
        let status = h.daemon.stop(within: 20)
        #expect(status == 0, "agnod did not exit within 20 s of SIGTERM with a 2 s grace")
        // The run was cancelled and stored, not left to end "interrupted".
        try h.daemon.start()
        let d = try h.connect()
        let summary = try #require(RunSummary(json: try d.resultOf(.status(StatusRequest(runID: runID)))))
        #expect(summary.status == .cancelled, "\(summary.status) \(summary.error ?? "")")
        #expect(summary.cancelledBy == "agnod")
    }

    /// The ordered stop (ServiceGroup): during the grace the socket accepts no one new, but a client already
    /// streaming gets every event and its `end`; more SIGTERMs and a SIGINT do not cut the grace short.
    @Test func duringTheGraceARunFinishesForItsClientAndMoreSignalsDoNotCutItShort() async throws {
        let h = try await Harness(
            models: ["slow": .slow("w", ms: 10, count: 200)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")],
            extra: [("shutdown_grace", .string("30s"))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("s", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.names.contains("RunContent") }
        h.daemon.signal(SIGTERM)
        #expect(h.daemon.waitForLog("stopping"), "\(h.daemon.logText)")
        h.daemon.signal(SIGTERM)
        h.daemon.signal(SIGINT)
        #expect(throws: (any Error).self, "a new connection during the grace") { _ = try h.connect().resultOf(.hello(HelloRequest())) }
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "no end")")
        #expect(cap.seqs == Array(1...cap.events.count))
        #expect(h.daemon.stop(within: 20) == 0)
    }

    /// Killed outside systemd (no cgroup to stop it all), agnod takes its MCP servers with it
    /// (PR_SET_PDEATHSIG), also one that would not notice its stdin closing.
    @Test func whenAgnodIsKilledItsMCPServersExitToo() async throws {
        // The stub stays when its stdin closes, as a server with a timer or a busy thread does.
        let script = RealModel.repoRoot.appendingPathComponent("scripts/mcp-stub.py")
        let h = try await Harness(
            models: ["m": .fast()], workflows: ["q.yaml": Fixtures.oneStep("q", model: "m:x")],
            extra: [
                (
                    "mcp_servers",
                    .object([
                        (
                            "s",
                            .object([("command", .array([.string("/usr/bin/python3"), .string(script.path), .string("--stay-after-eof")]))])
                        )
                    ])
                )
            ])
        defer { h.shutdownNow() }
        #expect(h.daemon.waitForLog("MCP server started"), "\(h.daemon.logText)")
        let agnod = try #require(h.daemon.pid)
        let children = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-P", "\(agnod)"]).stdout
            .split(separator: "\n").compactMap { Int32($0) }
        let server = try #require(
            children.first {
                (try? String(contentsOfFile: "/proc/\($0)/cmdline", encoding: .utf8))?.contains(script.lastPathComponent) == true
            },
            "no MCP server among agnod's children \(children)")
        h.daemon.kill()
        // The server is not this process's child, so its exit cannot be waited for: look at /proc until it is
        // gone (or a zombie), for at most 10 s.
        func alive() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(server)/stat", encoding: .utf8) else { return false }
            return !stat.contains(") Z ")
        }
        let deadline = Date().addingTimeInterval(10)
        while alive() && Date() < deadline { usleep(20_000) }
        #expect(!alive(), "the MCP server (pid \(server)) outlived agnod")
        if alive() { kill(server, SIGKILL) }
    }
}
