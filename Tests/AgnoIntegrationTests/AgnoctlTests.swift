import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct AgnoctlTests {
    @Test func runStreamsContentToStdoutAndProgressToStderrAndExitsZero() async throws {
        let h = try await Harness(models: ["fast": .fast("dragon", count: 5)], workflows: ["article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "fast:m")])
        defer { h.shutdownNow() }
        let result = try h.daemon.agnoctl(["run", "article", "A", "dragon", "learns"])
        #expect(result.status == 0)
        #expect(result.stdout == "dragon dragon dragon dragon dragon \ndragon dragon dragon dragon dragon \n")
        #expect(result.stderr.contains("step 1") && result.stderr.contains("research") && result.stderr.contains("writing"))
        #expect(result.stderr.contains("COMPLETED"))
        // The input words were joined with spaces.
        #expect(h.models["fast"]!.stats.requests[0]["messages"]?.arrayValue?.last?["content"]?.stringValue == "A dragon learns")
    }

    @Test func detachPrintsTheRunIDThenStatusShowsItRunningAndListShowsIt() async throws {
        let h = try await Harness(models: ["stall": .stalling()], workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m")])
        defer { h.shutdownNow() }
        let started = try h.daemon.agnoctl(["run", "--detach", "s", "in the background"])
        #expect(started.status == 0)
        let runID = started.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(RunID.isValid(runID))
        // Wait for the event that says the model is streaming, then look at the status.
        let c = try h.connect()
        let sid = try c.send(.stream(StreamRequest(runID: runID)))
        var cap = StreamCapture()
        try c.capture(sid, into: &cap) { $0.names.contains("RunContent") }
        let status = try h.daemon.agnoctl(["status", runID])
        #expect(status.status == 0 && status.stdout.contains("Status:   RUNNING"))
        let list = try h.daemon.agnoctl(["ps"])
        #expect(list.stdout.contains(runID) && list.stdout.contains("RUNNING"))
        let json = try h.daemon.agnoctl(["list", "--json", "--status", "running"])
        #expect(json.stdout.contains(runID))
        let cancel = try h.daemon.agnoctl(["cancel", runID])
        #expect(cancel.status == 0 && cancel.stdout.contains("cancelling"))
        let attach = try h.daemon.agnoctl(["attach", runID])
        #expect(attach.status == 130)
        #expect(attach.stdout.hasPrefix("Once upon a "))
        let again = try h.daemon.agnoctl(["cancel", runID])
        #expect(again.stdout.contains("already ended: CANCELLED"))
    }

    @Test func attachFromASeqPrintsOnlyWhatCameAfterIt() async throws {
        let h = try await Harness(models: ["m": ScriptedModelServer(.text(["a", "b", "c", "d"]))], workflows: ["s.yaml": Fixtures.oneStep("s", model: "m:x")])
        defer { h.shutdownNow() }
        let runID = try h.daemon.agnoctl(["run", "-d", "s", "x"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let full = try h.daemon.agnoctl(["attach", runID])
        #expect(full.status == 0 && full.stdout == "abcd\n")
        // seq 1 WorkflowStarted, 2 StepStarted, 3 RunStarted, 4..7 RunContent a..d
        let tail = try h.daemon.agnoctl(["attach", runID, "--from", "4"])
        #expect(tail.stdout == "bcd\n")
        let frames = try h.daemon.agnoctl(["attach", "--json", runID, "--from", "8"])
        let lines = frames.stdout.split(separator: "\n")
        #expect(lines.count == 3)  // StepCompleted, WorkflowCompleted, end
        #expect(lines.last?.contains("\"type\":\"end\"") == true)
    }

    @Test func exitCodesFollowTheRunsStatusAndUsageAndReachability() async throws {
        let h = try await Harness(models: ["ok": .fast(), "bad": ScriptedModelServer(.httpError(status: 500, body: "x"))],
                                  workflows: ["ok.yaml": Fixtures.oneStep("ok", model: "ok:m"), "bad.yaml": Fixtures.oneStep("bad", model: "bad:m")])
        defer { h.shutdownNow() }
        #expect(try h.daemon.agnoctl(["run", "ok", "x"]).status == 0)
        #expect(try h.daemon.agnoctl(["run", "bad", "x"]).status == 1)
        #expect(try h.daemon.agnoctl(["run"]).status == 2)
        #expect(try h.daemon.agnoctl(["frobnicate"]).status == 2)
        let unreachable = try runProcess(Binaries.agnoctl, ["status", "x"], environment: ["AGNOD_SOCKET": "/nonexistent/agnod.sock"])
        #expect(unreachable.status == 69)
        #expect(unreachable.stderr.contains("/nonexistent/agnod.sock"))
        let flag = try runProcess(Binaries.agnoctl, ["list", "--socket", "/nonexistent/other.sock"])
        #expect(flag.status == 69 && flag.stderr.contains("/nonexistent/other.sock"))
    }

    @Test func ctrlCInRunCancelsTheRunAndExits130() async throws {
        let h = try await Harness(models: ["stall": .stalling()], workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m")])
        defer { h.shutdownNow() }
        let process = Process()
        process.executableURL = Binaries.agnoctl
        process.arguments = ["run", "--run-id", "ctrl-c-run", "s", "wait"]
        process.environment = ["AGNOD_SOCKET": h.daemon.socket]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Wait for agnoctl to say the run started, then until its model is streaming (seen through another client).
        var early = Data()
        while !String(decoding: early, as: UTF8.self).contains("started") {
            let more = err.fileHandleForReading.availableData
            if more.isEmpty { break }
            early.append(more)
        }
        let c = try h.connect()
        var cap = StreamCapture()
        let sid = try c.send(.stream(StreamRequest(runID: "ctrl-c-run")))
        try c.capture(sid, into: &cap) { $0.names.contains("RunContent") }
        kill(process.processIdentifier, SIGINT)
        try c.capture(sid, into: &cap)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(cap.end?.status == .cancelled)
        #expect(cap.events.last?.event["reason"]?.stringValue?.contains("Ctrl-C") == true)
        let stderr = String(decoding: early + err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("CANCELLED"))
    }
}
