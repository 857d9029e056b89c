import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// agnod logging to a real journald (started by hand when none runs), read back with journalctl.
@Suite(.serialized) struct JournalTests {
    /// journald's socket exists, or a journald is started for the test (and stopped by the returned process).
    static func ensureJournald() throws -> Process? {
        let socket = "/run/systemd/journal/socket"
        // Someone must be listening on the socket: a journald in a container (the e2e test's) shows in /proc
        // but owns another socket, and a journald that is gone may have left the file behind.
        if Self.accepts(socket) { return nil }
        try? FileManager.default.removeItem(atPath: socket)  // a stale one, from a journald that is gone
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/lib/systemd/systemd-journald")
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // (journald offers no readiness signal without a service manager: watch for its socket.)
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(10_000) }
        guard FileManager.default.fileExists(atPath: socket) else { throw TestError("journald did not create \(socket)") }
        return process
    }

    /// Whether a datagram socket at `path` has a reader (connect fails with ECONNREFUSED when none does).
    static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    /// The journal's entries matching `match`, read until at least `count` are there or `timeout` seconds
    /// pass (journald offers no notification a test could await other than `journalctl -f`, whose reader
    /// blocks; so this asks again every 50 ms).
    static func follow(_ match: [String], count: Int, timeout: Double = 15) throws -> [JSONValue] {
        let deadline = Date().addingTimeInterval(timeout)
        var entries: [JSONValue] = []
        repeat {
            let result = try runProcess(URL(fileURLWithPath: "/usr/bin/journalctl"), ["-o", "json", "--no-pager"] + match)
            entries = result.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(Array($0.utf8)) }
            if entries.count >= count { return entries }
            usleep(50_000)
        } while Date() < deadline
        return entries
    }

    @Test func aRunsLifecycleIsInTheJournalWithItsFieldsAndNotItsContent() async throws {
        let journald = try Self.ensureJournald()
        defer {
            journald?.terminate()
            journald?.waitUntilExit()
        }
        let fast = ScriptedModelServer(.words("journal", count: 5))
        let stall = ScriptedModelServer.stalling()
        try await fast.start()
        try await stall.start()
        defer {
            fast.close()
            stall.close()
        }
        let daemon = try TestDaemon(
            providers: ["f": fast.baseURL, "s": stall.baseURL],
            workflows: [
                "quick.yaml": Fixtures.oneStep("quick", model: "f:m"), "hang.yaml": Fixtures.oneStep("hang", model: "s:m"),
            ])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(arguments: ["--log-target", "journal"], readiness: .notify(notify))
        defer { daemon.stop() }
        #expect(!daemon.logText.contains("listening"), "with --log-target journal nothing goes to stderr")

        let tag = UUID().uuidString.prefix(8)
        let secret = "private input \(tag)"
        let done = try daemon.agnoctl(["run", "quick", secret, "--run-id", "journal-done-\(tag)"])
        #expect(done.status == 0, "\(done.stderr)")
        let hanging = try daemon.agnoctl(["run", "hang", secret, "--detach", "--run-id", "journal-cancel-\(tag)"])
        #expect(hanging.status == 0)
        #expect(try daemon.agnoctl(["cancel", "journal-cancel-\(tag)"]).status == 0)

        let entries = try Self.follow(["AGNO_RUN_ID=journal-done-\(tag)"], count: 3)
        #expect(entries.map { $0["MESSAGE"]?.stringValue ?? "" } == ["run accepted", "run started", "run completed"], "\(entries)")
        #expect(
            entries.map { $0["MESSAGE_ID"]?.stringValue ?? "" } == [
                "cf368c339cbe4c73aa04a43167c935b1", "0af222b17938462dbc8568c69cf0ca8e", "30ac424d05fa4ea4bed4bdcbf5f0409b",
            ])
        for entry in entries {
            #expect(entry["AGNO_WORKFLOW"]?.stringValue == "quick")
            #expect(entry["AGNO_UID"]?.stringValue == "\(getuid())")
            #expect(entry["AGNO_USER"]?.stringValue == "root")
            #expect(entry["SYSLOG_IDENTIFIER"]?.stringValue == "agnod")
            #expect(entry["PRIORITY"]?.stringValue == "6")
        }
        #expect(entries.map { $0["AGNO_STATUS"]?.stringValue ?? "" } == ["PENDING", "RUNNING", "COMPLETED"])

        let cancelled = try Self.follow(["AGNO_RUN_ID=journal-cancel-\(tag)", "MESSAGE_ID=cdf2bb28c3e7476d934502be2fbde0dd"], count: 1)
        #expect(cancelled.first?["AGNO_STATUS"]?.stringValue == "CANCELLED")

        // The daemon's own lines carry their MESSAGE_IDs; no entry anywhere quotes a run's input.
        let pid = try #require(daemon.pid)
        let ready = try Self.follow(["_PID=\(pid)", "MESSAGE_ID=cba15ac95fa64a15b9a3754d4f99f136"], count: 1)
        #expect(ready.count == 1)
        let all = try Self.follow(["_PID=\(pid)"], count: 1_000, timeout: 2)
        #expect(all.count >= 8)
        #expect(!all.contains { $0.encodedString.contains(secret) })
    }

    @Test func pauseContinueAndResumeAreInTheJournalWithTheirMessageIDs() async throws {
        let journald = try Self.ensureJournald()
        defer {
            journald?.terminate()
            journald?.waitUntilExit()
        }
        let model = HumanReviewTests.echo()
        let slow = ScriptedModelServer.slow("tick", ms: 10, count: 400)
        try await model.start()
        try await slow.start()
        defer {
            model.close()
            slow.close()
        }
        let daemon = try TestDaemon(
            providers: ["m": model.baseURL, "s": slow.baseURL],
            workflows: ["confirm.yaml": HumanReviewTests.confirm, "long.yaml": Fixtures.oneStep("long", model: "s:m")])
        let notify = try NotifySocket(directory: daemon.directory)
        try daemon.start(arguments: ["--log-target", "journal"], readiness: .notify(notify))
        defer { daemon.stop() }
        let tag = UUID().uuidString.prefix(8)
        let c = try daemon.connect()
        let (paused, pid) = try c.startStreaming("confirm", input: "x", runID: "journal-pause-\(tag)")
        var cap = StreamCapture()
        try c.capture(pid, into: &cap)
        #expect(cap.end?.status == .paused)
        let cid = try c.send(.continue(ContinueRequest(runID: paused, decision: .approve, stream: true)))
        var done = StreamCapture()
        try c.capture(cid, into: &done)
        #expect(done.end?.status == .completed)
        let pause = try Self.follow(["AGNO_RUN_ID=\(paused)", "MESSAGE_ID=fc2ab91157f742658e5500c76f8fa920"], count: 1)
        #expect(pause.first?["MESSAGE"]?.stringValue == "run paused")
        #expect(pause.first?["AGNO_STEP"]?.stringValue == "publish")
        #expect(pause.first?["AGNO_REQUIREMENT"]?.stringValue == "confirmation")
        let continued = try Self.follow(["AGNO_RUN_ID=\(paused)", "MESSAGE_ID=c9b13b3743454cb29fa8c49d810e43b4"], count: 1)
        #expect(continued.first?["AGNO_DECISION"]?.stringValue == "approve")
        #expect(continued.first?["AGNO_BY"]?.stringValue == "root")

        // A run killed mid-step resumes after the restart.
        let (long, lid) = try c.startStreaming("long", input: "y", runID: "journal-resume-\(tag)")
        var some = StreamCapture()
        try c.capture(lid, into: &some) { $0.events.count >= 10 }
        daemon.kill()
        try daemon.start(arguments: ["--log-target", "journal"], readiness: .notify(notify))
        let resumed = try Self.follow(["AGNO_RUN_ID=\(long)", "MESSAGE_ID=1b4cb100690f436d91b5343523e2a085"], count: 1)
        #expect(resumed.first?["MESSAGE"]?.stringValue == "run resumed after a restart")
    }
}
