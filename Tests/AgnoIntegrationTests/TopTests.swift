import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// `agnoctl top` through the real binaries: the live runs, the users' running and queued runs, and the
/// tokens per second of a model that streams while it refreshes.
@Suite struct TopTests {
    @Test func topShowsTheLiveRunsTheQueueAndTheTokensPerSecondOfAStreamingModel() async throws {
        let h = try await Harness(
            models: ["slow": .slow("owl", ms: 10, count: 3000)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")],
            limits: ["active_runs_per_user": 1])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (running, id) = try c.startStreaming("s", input: "go")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.names.contains("RunContent") }
        let accepted = try h.connect().resultOf(.start(StartRequest(workflow: "s", input: "wait")))
        let queued = try #require(accepted["run_id"]?.stringValue)

        let top = try h.daemon.agnoctl(["top", "--iterations", "3", "--interval", "0.5"])
        #expect(top.status == 0, "\(top.stderr)")
        let frames = top.stdout.components(separatedBy: "\nagnod ").count
        #expect(frames == 3, "\(top.stdout)")
        let last = try #require(top.stdout.components(separatedBy: "\nagnod ").last)
        #expect(last.contains("1 running · 1 queued · 0 paused"))
        let runLine = try #require(last.split(separator: "\n").first { $0.hasPrefix(running) })
        #expect(runLine.contains("RUNNING") && runLine.contains(" only ") && runLine.contains(" s "))
        #expect(last.split(separator: "\n").contains { $0.hasPrefix(queued) && $0.contains("PENDING") })
        // The model streams 100 chunks a second: the later frames measure it (the first has nothing to compare with).
        #expect(top.stdout.hasPrefix("agnod ") && top.stdout.split(separator: "\n")[0].contains("— tokens/s"))
        let rate = try #require(last.firstMatch(of: /([0-9]+\.[0-9]) tokens\/s/).flatMap { Double($0.1) })
        #expect(rate > 10, "\(last)")
        let user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        #expect(
            last.split(separator: "\n").contains {
                $0.split(separator: " ", omittingEmptySubsequences: true) == [Substring(user), "1", "1"]
            })
        _ = try h.connect().resultOf(.cancel(CancelRequest(runID: running)))
    }

    @Test func topRefusesABadInterval() async throws {
        let h = try await Harness(models: [:], workflows: [:])
        defer { h.shutdownNow() }
        let top = try h.daemon.agnoctl(["top", "--interval", "0"])
        #expect(top.status == 2 && top.stderr.contains("--interval must be at least 0.1 seconds"))
    }
}
