import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// agnod and systemd, without PID 1 being systemd: notify messages on a socket the test binds, socket
/// activation through `systemd-socket-activate`, and reloads on SIGHUP.
@Suite(.serialized) struct SystemdTests {
    @Test func notifySaysReadyStatusWatchdogReloadingAndStopping() async throws {
        let model = ScriptedModelServer.stalling()
        try await model.start()
        defer { model.close() }
        let daemon = try TestDaemon(providers: ["m": model.baseURL], workflows: ["hang.yaml": Fixtures.oneStep("hang", model: "m:x")])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(environment: ["WATCHDOG_USEC": "200000"], readiness: .notify(notify))
        defer { daemon.stop() }
        #expect(notify.messages.first { $0.contains("READY=1") }?.contains("STATUS=0 active runs, 0 waiting") == true, "\(notify.messages)")

        // The watchdog is pinged (at half of 200 ms) while agnod is healthy.
        #expect(notify.wait { $0 == "WATCHDOG=1" } != nil)
        #expect(notify.wait { $0 == "WATCHDOG=1" } != nil)

        // STATUS follows the runs.
        let c = try daemon.connect()
        _ = try c.resultOf(.start(StartRequest(workflow: "hang", input: "x", runID: "n1")))
        #expect(notify.wait { $0 == "STATUS=1 active runs, 0 waiting" } != nil, "\(notify.messages)")

        // SIGHUP: RELOADING=1 with the monotonic time, then READY=1 again.
        daemon.signal(SIGHUP)
        let reloading = try #require(notify.wait { $0.hasPrefix("RELOADING=1") })
        let usec = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }.flatMap {
            UInt64($0.dropFirst("MONOTONIC_USEC=".count))
        }
        #expect(usec.map { $0 > 0 } == true, "\(reloading)")
        #expect(notify.wait { $0.hasPrefix("READY=1") } != nil)

        // SIGTERM: STOPPING=1, the run is cancelled and stored, exit 0.
        daemon.signal(SIGTERM)
        #expect(notify.wait { $0.hasPrefix("STOPPING=1") } != nil)
        #expect(daemon.stop() == 0)
        #expect(daemon.logText.contains("run cancelled"))
    }

    @Test func withoutWatchdogUSecThereAreNoPings() async throws {
        let daemon = try TestDaemon(providers: [:], workflows: [:])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(readiness: .notify(notify))
        defer { daemon.stop() }
        // hello round trip, then stop: between READY and STOPPING nothing but STATUS may come.
        _ = try daemon.connect().resultOf(.hello(HelloRequest()))
        daemon.signal(SIGTERM)
        #expect(notify.wait { $0.hasPrefix("STOPPING=1") } != nil)
        #expect(!notify.messages.contains("WATCHDOG=1"))
    }

    @Test func socketActivationServesOnTheSocketSystemdPassed() async throws {
        let daemon = try TestDaemon(providers: [:], workflows: ["a.yaml": Fixtures.oneStep("a", model: "m:x")])
        // agnod's own socket path is elsewhere: it must use fd 3, not bind.
        let activated = daemon.directory.appendingPathComponent("activated.sock").path
        try daemon.start(
            launcher: ["/usr/bin/systemd-socket-activate", "-l", activated, "--fdname=agnod.sock"], readiness: .log("Listening on"))
        defer { daemon.stop() }
        let c = try AgnoConnection(path: activated)
        let hello = try c.resultOf(.hello(HelloRequest()))
        #expect(hello["uid"]?.intValue == Int(getuid()))
        #expect(daemon.waitForLog("fd 3 (agnod.sock, from systemd)"), "\(daemon.logText)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socket))
        // Stopping leaves systemd's socket file alone.
        #expect(daemon.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: activated))
    }

    @Test func sighupReloadsWorkflowsAndLimitsKeepsConnectionsAndRunsAndRefusesBadFiles() async throws {
        let model = ScriptedModelServer(.words("w", count: 200, delay: .milliseconds(5)))
        try await model.start()
        defer { model.close() }
        let daemon = try TestDaemon(
            providers: ["m": model.baseURL],
            workflows: [
                "one.yaml": Fixtures.oneStep("one", model: "m:x"), "two.yaml": Fixtures.oneStep("two", model: "m:x"),
            ])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(readiness: .notify(notify))
        defer { daemon.stop() }
        let c = try daemon.connect()
        let (_, streamID) = try c.startStreaming("one", input: "during the reload")
        var first = StreamCapture()
        try c.capture(streamID, into: &first) { $0.events.count == 5 }

        // A new workflow appears, one file breaks, another is removed.
        let dir = daemon.directory.appendingPathComponent("workflows")
        try Fixtures.oneStep("three", model: "m:x").write(to: dir.appendingPathComponent("three.yaml"), atomically: true, encoding: .utf8)
        try "name: one\nsteps: [oops".write(to: dir.appendingPathComponent("one.yaml"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("two.yaml"))
        daemon.signal(SIGHUP)
        #expect(notify.wait { $0.hasPrefix("READY=1") } != nil)
        #expect(daemon.waitForLog("configuration reloaded"))
        #expect(daemon.logText.contains("kept the previous version of one"), "\(daemon.logText)")

        // The same connection goes on: its run streams to the end, and it sees the new catalog.
        try c.capture(streamID, into: &first)
        #expect(first.end?.status == .completed)
        #expect(first.seqs == Array(1...first.events.count))
        let names = try c.resultOf(.workflows(WorkflowsRequest()))["workflows"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["one", "three"])

        // A configuration file that does not load is refused whole; the old one stays.
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try "limits: [this is not a mapping".write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(daemon.waitForLog("reload refused, keeping the current configuration"))
        #expect(notify.wait { $0.hasPrefix("READY=1") } != nil)
        _ = try c.resultOf(.start(StartRequest(workflow: "three", input: "after a refused reload")))

        // A good one with a new limit applies: one active run per user, so the next one waits.
        var json = try JSONValue.parse(Array(config.utf8))
        if case .object(var pairs) = json {
            pairs.append(("limits", .object([("active_runs_per_user", .int(1))])))
            // Settings a running agnod cannot change are kept, and the log says a restart applies them.
            pairs.append(("metrics", .object([("enabled", .bool(false))])))
            pairs.append(("tracing", .object([("endpoint", "http://127.0.0.1:4318")])))
            json = .object(pairs)
        }
        try json.encodedString.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        #expect(notify.wait { $0.hasPrefix("READY=1") } != nil)
        #expect(daemon.waitForLog("reload: metrics, tracing changed in"))
        #expect(try c.resultOf(.metrics(MetricsRequest()))["text"]?.stringValue?.contains("agnod_runs_started_total") == true)
        _ = try c.resultOf(.start(StartRequest(workflow: "three", input: "a")))
        let b = try c.resultOf(.start(StartRequest(workflow: "three", input: "b")))
        #expect(b["status"]?.stringValue == "PENDING")
    }

    @Test func sigtermWithAShutdownGraceLetsRunningRunsFinishAndCancelsQueuedOnes() async throws {
        let model = ScriptedModelServer(.words("w", count: 40, delay: .milliseconds(20)))  // under 1 s per run
        try await model.start()
        defer { model.close() }
        let daemon = try TestDaemon(
            providers: ["m": model.baseURL], workflows: ["one.yaml": Fixtures.oneStep("one", model: "m:x")],
            limits: ["active_runs": 1], extra: [("shutdown_grace", .string("30s"))])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(readiness: .notify(notify))
        defer { daemon.stop() }
        let c = try daemon.connect()
        let (_, running) = try c.startStreaming("one", input: "finishes", runID: "graceful")
        var cap = StreamCapture()
        try c.capture(running, into: &cap) { $0.events.count == 5 }
        let queued = try c.resultOf(.start(StartRequest(workflow: "one", input: "never starts", runID: "queued")))
        #expect(queued["status"]?.stringValue == "PENDING")
        daemon.signal(SIGTERM)
        #expect(notify.wait { $0.hasPrefix("STOPPING=1") } != nil)
        try c.capture(running, into: &cap)
        #expect(cap.end?.status == .completed, "a running run finishes within the grace time")
        #expect(daemon.stop() == 0)
        // After a restart both are as they ended.
        try daemon.start(readiness: .log("listening"))
        let d = try daemon.connect()
        #expect(try d.resultOf(.status(StatusRequest(runID: "graceful")))["status"]?.stringValue == "COMPLETED")
        let q = try d.resultOf(.status(StatusRequest(runID: "queued")))
        #expect(q["status"]?.stringValue == "CANCELLED")
        #expect(q["cancelled_by"]?.stringValue == "agnod")
    }
}
