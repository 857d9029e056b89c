import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct CancelTests {
    /// The seed: stream in one client, cancel from another mid-step-2.
    @Test func aCancelFromAnotherClientEndsTheRunCancelledKeepingWhatWasWritten() async throws {
        let h = try await Harness(models: ["fast": .fast("research"), "slow": .slow("dragon", ms: 5)],
                                  workflows: ["article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "slow:m")])
        defer { h.shutdownNow() }
        let a = try h.connect(), b = try h.connect()
        let (runID, id) = try a.startStreaming("article", input: "A dragon learns to code")
        var cap = StreamCapture()
        try a.capture(id, into: &cap) { c in c.events.filter { $0.event["event"]?.stringValue == "RunContent" && $0.event["step_index"]?.intValue == 1 }.count >= 10 }
        let result = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        #expect(result["cancelled"] == .bool(true))
        #expect(result["status"]?.stringValue == "RUNNING")
        try a.capture(id, into: &cap)
        let names = cap.names
        #expect(names.filter { $0 == "WorkflowCancelled" }.count == 1)
        #expect(names.suffix(2) == ["RunCancelled", "WorkflowCancelled"])
        #expect(cap.seqs == Array(1...cap.events.count))
        let reason = cap.events.last?.event["reason"]?.stringValue
        #expect(reason?.contains("cancelled by") == true)
        let partial = cap.events.first { $0.event["event"]?.stringValue == "RunCancelled" }?.event["content"]?.stringValue ?? ""
        #expect(partial.hasPrefix("dragon dragon"))
        #expect(cap.end?.status == .cancelled)
        let status = try RunSummary(json: b.resultOf(.status(StatusRequest(runID: runID))))!
        #expect(status.status == .cancelled)
        #expect(status.steps[0].status == .completed && status.steps[0].content == String(repeating: "research ", count: 30))
        #expect(status.steps[1].status == .cancelled && status.steps[1].content == partial)
        #expect(status.content == partial)
        // Cancelling again, or a finished run, says so without a second WorkflowCancelled.
        let again = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        #expect(again["cancelled"] == .bool(false) && again["status"]?.stringValue == "CANCELLED")
        let s = try b.send(.stream(StreamRequest(runID: runID)))
        var replay = StreamCapture()
        try b.capture(s, into: &replay)
        #expect(replay.names.filter { $0 == "WorkflowCancelled" }.count == 1)
    }

    @Test func aCancelStopsAStalledModelAndClosesItsConnection() async throws {
        let stall = ScriptedModelServer.stalling()
        let h = try await Harness(models: ["stall": stall], workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m")])
        defer { h.shutdownNow() }
        let a = try h.connect(), b = try h.connect()
        let (runID, id) = try a.startStreaming("s", input: "go")
        var cap = StreamCapture()
        try a.capture(id, into: &cap) { $0.names.filter { $0 == "RunContent" }.count == 3 }
        let started = ContinuousClock.now
        _ = try b.resultOf(.cancel(CancelRequest(runID: runID, reason: "stop waiting")))
        try a.capture(id, into: &cap)
        let elapsed = ContinuousClock.now - started
        #expect(cap.end?.status == .cancelled)
        #expect(cap.names.suffix(2) == ["RunCancelled", "WorkflowCancelled"])
        #expect(cap.events.last?.event["reason"]?.stringValue == "stop waiting")
        #expect(cap.events.first { $0.event["event"]?.stringValue == "RunCancelled" }?.event["content"]?.stringValue == "Once upon a ")
        // The model server sees the stream closed by agnod.
        await stall.waitForAborts(1)
        #expect(stall.stats.abortedByClient == 1)
        // A correctness bound, far above the benchmark's 10 ms target, so the test cannot flake on a busy machine.
        #expect(elapsed < .seconds(5))
    }

    @Test func aCancelDuringABlockingToolStopsTheTool() async throws {
        let model = ScriptedModelServer { _, _ in .toolCall(name: "sleep", arguments: #"{"seconds": 600}"#) }
        let h = try await Harness(models: ["m": model], workflows: ["t.yaml": Fixtures.oneStep("t", model: "m:x", tools: ["sleep"])])
        defer { h.shutdownNow() }
        let a = try h.connect(), b = try h.connect()
        let (runID, id) = try a.startStreaming("t", input: "wait")
        var cap = StreamCapture()
        try a.capture(id, into: &cap) { $0.names.contains("ToolCallStarted") }
        _ = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        try a.capture(id, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect(!cap.names.contains("ToolCallCompleted"))
        #expect(cap.names.last == "WorkflowCancelled")
    }

    @Test func aPendingRunCancelledNeverStartsAndHasOnlyWorkflowCancelled() async throws {
        let stall = ScriptedModelServer.stalling()
        let h = try await Harness(models: ["stall": stall], workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m")],
                                  limits: ["active_runs": 1, "active_runs_per_user": 1])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (firstID, firstStream) = try c.startStreaming("s", input: "one")
        var firstCap = StreamCapture()
        try c.capture(firstStream, into: &firstCap) { $0.names.contains("RunContent") }
        let second = try c.resultOf(.start(StartRequest(workflow: "s", input: "two")))
        #expect(second["status"]?.stringValue == "PENDING")
        let secondID = second["run_id"]!.stringValue!
        #expect(try RunSummary(json: c.resultOf(.status(StatusRequest(runID: secondID))))?.status == .pending)
        let cancel = try c.resultOf(.cancel(CancelRequest(runID: secondID)))
        #expect(cancel["cancelled"] == .bool(true) && cancel["status"]?.stringValue == "PENDING")
        let s = try c.send(.stream(StreamRequest(runID: secondID)))
        var cap = StreamCapture()
        try c.capture(s, into: &cap)
        #expect(cap.names == ["WorkflowCancelled"])
        #expect(cap.end?.status == .cancelled && cap.end?.startedAt == nil)
        _ = try c.resultOf(.cancel(CancelRequest(runID: firstID)))
        // Only the first run ever reached the model.
        #expect(stall.stats.requests.count == 1)
    }

    @Test func onDisconnectCancelCancelsTheRunWhenTheClientGoesAway() async throws {
        let slow = ScriptedModelServer.slow()
        let h = try await Harness(models: ["slow": slow], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")])
        defer { h.shutdownNow() }
        var a: AgnoConnection? = try h.connect()
        let (runID, id) = try a!.startStreaming("s", input: "go", onDisconnect: .cancel)
        var cap = StreamCapture()
        try a!.capture(id, into: &cap) { $0.names.contains("RunContent") }
        a = nil  // closes the socket
        let b = try h.connect()
        let s = try b.send(.stream(StreamRequest(runID: runID)))
        var after = StreamCapture()
        try b.capture(s, into: &after)
        #expect(after.end?.status == .cancelled)
        #expect(after.events.last?.event["reason"]?.stringValue?.contains("disconnected") == true)
    }

    @Test func withoutOnDisconnectTheRunGoesOnAndCanBeReattachedAfterTheLastSeq() async throws {
        let h = try await Harness(models: ["slow": .slow("word", ms: 2, count: 200)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")])
        defer { h.shutdownNow() }
        var a: AgnoConnection? = try h.connect()
        let (runID, id) = try a!.startStreaming("s", input: "go")
        var first = StreamCapture()
        try a!.capture(id, into: &first) { $0.events.count == 10 }
        a = nil
        let b = try h.connect()
        let s = try b.send(.stream(StreamRequest(runID: runID, afterSeq: 10)))
        var rest = StreamCapture()
        try b.capture(s, into: &rest)
        #expect(rest.end?.status == .completed)
        #expect(rest.seqs == Array(11...(10 + rest.events.count)))
        let all = (first.events + rest.events).filter { $0.event["event"]?.stringValue == "RunContent" }.count
        #expect(all == 200)
    }
}
