import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Synchronization
import Testing

/// `max_retries`, per-step and workflow `timeout`, `on_error: skip`, Parallel failures and cancel of every branch.
@Suite struct RetryTimeoutTests {
    @Test func aFailedAttemptIsRetriedAndEachAttemptsEventsCarryItsNumber() async throws {
        let calls = Mutex(0)
        let flaky = ScriptedModelServer { _, _ in
            let n = calls.withLock { c in
                c += 1
                return c
            }
            return n < 3 ? .httpError(status: 500, body: "overloaded \(n)") : .text(["fine"])
        }
        let wf = """
            name: retry
            agents:
              a: {model: "m:x", instructions: "a"}
            steps:
              - {name: flaky, agent: a, max_retries: 2}
            """
        let h = try await Harness(models: ["m": flaky], workflows: ["retry.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("retry", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let started = cap.events.map(\.event).filter { $0["event"]?.stringValue == "StepStarted" }
        #expect(started.map { $0["attempt"]?.intValue } == [1, 2, 3])
        let errors = cap.events.map(\.event).filter { $0["event"]?.stringValue == "RunError" }
        #expect(errors.map { $0["attempt"]?.intValue } == [1, 2])
        #expect(errors.first?["content"]?.stringValue?.contains("overloaded 1") == true)
        #expect(cap.events.map(\.event).filter { $0["event"]?.stringValue == "RunContent" }.allSatisfy { $0["attempt"]?.intValue == 3 })
        #expect(cap.end?.steps.first?.attempt == 3 && cap.end?.steps.first?.error == nil)
        #expect(cap.end?.content == "fine")
    }

    @Test func aStepThatTimesOutFailsItsAttemptClosesTheModelStreamAndOnErrorSkipGoesOn() async throws {
        let stall = ScriptedModelServer.stalling()
        let wf = """
            name: slowstep
            agents:
              s: {model: "stall:x", instructions: "s"}
              f: {model: "fast:x", instructions: "f"}
            steps:
              - {name: stuck, agent: s, timeout: 0.3s, on_error: skip}
              - {name: after, agent: f}
            """
        let h = try await Harness(models: ["stall": stall, "fast": .fast("ok", count: 2)], workflows: ["slowstep.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("slowstep", input: "go")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let steps = try #require(cap.end?.steps)
        #expect(steps[0].status == .error && steps[0].error == "step 'stuck' timed out after 0.3 s")
        #expect(steps[1].status == .completed)
        #expect(cap.names.contains("RunError") && !cap.names.contains("RunCancelled"))
        // The next step gets the skipped step's input.
        #expect(h.models["fast"]!.stats.requests.first?["messages"]?.arrayValue?.last?["content"]?.stringValue == "go")
        await awaitEvent("the stalled model's stream closed by agnod") { await stall.waitForAborts(1) }
    }

    @Test func aWorkflowTimeoutEndsTheRunErrorWithTheReason() async throws {
        let wf = """
            name: wft
            timeout: 0.5s
            agents:
              s: {model: "stall:x", instructions: "s"}
            steps:
              - {name: stuck, agent: s}
            """
        let stall = ScriptedModelServer.stalling()
        let h = try await Harness(models: ["stall": stall], workflows: ["wft.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("wft", input: "go")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .error)
        #expect(cap.end?.error == "the workflow timed out after 0.5 s")
        #expect(cap.names.last == "WorkflowError")
        await awaitEvent("the stalled model's stream closed by agnod") { await stall.waitForAborts(1) }
    }

    @Test func aFailingParallelBranchCancelsItsSiblingsAndFailsTheRun() async throws {
        let wf = """
            name: pfail
            agents:
              bad: {model: "bad:x", instructions: "bad"}
              slow: {model: "stall:x", instructions: "slow"}
            steps:
              - type: Parallel
                name: both
                steps:
                  - {name: broken, agent: bad}
                  - {name: waiting, agent: slow}
            """
        let stall = ScriptedModelServer.stalling()
        let bad = ScriptedModelServer(.httpError(status: 400, body: "no such model"))
        let h = try await Harness(models: ["stall": stall, "bad": bad], workflows: ["pfail.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("pfail", input: "go")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .error)
        #expect(cap.end?.error?.contains("step 'broken' failed") == true, "\(cap.end?.error ?? "")")
        let cancelled = cap.events.map(\.event).first { $0["event"]?.stringValue == "RunCancelled" }
        #expect(cancelled?["step_path"]?.stringValue == "both/waiting")
        #expect(cancelled?["reason"]?.stringValue?.contains("parallel branch 'broken' failed") == true)
        let status = Dictionary(uniqueKeysWithValues: (cap.end?.steps ?? []).map { ($0.path, $0.status) })
        #expect(status == ["both": .error, "both/broken": .error, "both/waiting": .cancelled])
        #expect(cap.names.last == "WorkflowError" && !cap.names.contains("WorkflowCancelled"))
    }

    @Test func aCancelReachesEveryBranchOfAParallelOfEightOnAStalledModel() async throws {
        let branches = (1...8).map { "      - {name: b\($0), agent: s}" }.joined(separator: "\n")
        let wf = """
            name: fan
            agents:
              s: {model: "stall:x", instructions: "s"}
            steps:
              - type: Parallel
                name: fan
                steps:
            \(branches)
            """
        let stall = ScriptedModelServer.stalling()
        let h = try await Harness(models: ["stall": stall], workflows: ["fan.yaml": wf])
        defer { h.shutdownNow() }
        let a = try h.connect()
        let b = try h.connect()
        let (runID, id) = try a.startStreaming("fan", input: "go")
        var cap = StreamCapture()
        // Every branch has streamed its chunks and is now waiting on the stalled model.
        try a.capture(id, into: &cap) { c in c.names.filter { $0 == "RunContent" }.count == 24 }
        _ = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        try a.capture(id, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect(cap.names.filter { $0 == "RunCancelled" }.count == 8)
        #expect(cap.names.filter { $0 == "WorkflowCancelled" }.count == 1)
        #expect(cap.names.last == "WorkflowCancelled")
        #expect(cap.seqs == Array(1...cap.events.count))
        let status = cap.end?.steps.map(\.status) ?? []
        #expect(status == Array(repeating: .cancelled, count: 9))
        await awaitEvent("all eight model streams closed by agnod") { await stall.waitForAborts(8) }
        #expect(stall.stats.abortedByClient == 8)
    }
}
