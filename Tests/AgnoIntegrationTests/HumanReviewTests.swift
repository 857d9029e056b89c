import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Synchronization
import Testing

/// agno's HumanReview through the real agnod over its socket: runs that pause (StepPaused, WorkflowPaused,
/// `end` PAUSED), the `continue` op, what each answer does, bad answers, and pauses that survive a restart.
@Suite struct HumanReviewTests {
    /// An echoing model: each agent answers `AGENT<what it was given>`, so every output shows its input.
    static func echo() -> ScriptedModelServer {
        ScriptedModelServer { body, _ in
            let messages = body["messages"]?.arrayValue ?? []
            let agent = messages.first?["content"]?.stringValue ?? "?"
            let user = messages.last?["content"]?.stringValue ?? ""
            return .text([agent.uppercased(), "<", user, ">"])
        }
    }

    static func workflow(_ name: String, _ steps: String, extra: String = "") -> String {
        """
        name: \(name)
        \(extra)
        agents:
          draft: {model: "m:x", instructions: "draft"}
          publish: {model: "m:x", instructions: "publish"}
          other: {model: "m:x", instructions: "other"}
        steps:
        \(steps)
        """
    }

    static let confirm = workflow(
        "confirm",
        """
          - {name: draft, agent: draft}
          - name: publish
            agent: publish
            human_review:
              requires_confirmation: true
              confirmation_message: "Publish it?"
        """)

    static let askTone = workflow(
        "ask",
        """
          - name: draft
            agent: draft
            human_review:
              requires_user_input: true
              user_input_message: "How should it sound?"
              user_input_schema:
                - {name: tone, type: string, required: true, choices: [formal, casual]}
                - {name: words, type: integer}
          - {name: publish, agent: publish}
        """)

    static let review = workflow(
        "review",
        """
          - name: draft
            agent: draft
            human_review: {requires_output_review: true, on_reject: retry}
          - {name: publish, agent: publish}
        """)

    static let skippable = workflow(
        "skippable",
        """
          - {name: draft, agent: draft}
          - name: publish
            agent: publish
            human_review: {requires_output_review: true, on_reject: skip}
          - {name: other, agent: other}
        """)

    static let looped = workflow(
        "looped",
        """
          - type: Loop
            name: rounds
            max_iterations: 5
            human_review: {requires_confirmation: true, confirmation_message: "Another round?"}
            steps:
              - {name: draft, agent: draft}
        """)

    static let routed = workflow(
        "routed",
        """
          - type: Router
            name: route
            selector: '"draft"'
            human_review: {requires_user_input: true}
            choices:
              - {name: draft, agent: draft}
              - {name: other, agent: other}
        """)

    static let parallel = workflow(
        "parallel",
        """
          - type: Parallel
            name: both
            steps:
              - name: draft
                agent: draft
                human_review: {requires_confirmation: true}
              - name: other
                agent: other
                human_review: {requires_confirmation: true}
          - {name: publish, agent: publish}
        """)

    static let timed = workflow(
        "timed",
        """
          - name: draft
            agent: draft
            human_review: {requires_confirmation: true, timeout: 1s, on_timeout: approve}
        """)

    static let constructs = workflow(
        "constructs",
        """
          - type: Steps
            name: group
            human_review: {requires_output_review: true, on_reject: retry, output_review_message: "Keep the group's work?"}
            steps:
              - {name: draft, agent: draft}
              - {name: other, agent: other}
          - type: Condition
            name: maybe
            evaluator: 'true'
            human_review: {requires_confirmation: true}
            steps:
              - {name: publish, agent: publish}
        """)

    static var all: [String: String] {
        [
            "constructs.yaml": constructs,
            "confirm.yaml": confirm, "ask.yaml": askTone, "review.yaml": review, "skippable.yaml": skippable, "looped.yaml": looped,
            "routed.yaml": routed, "parallel.yaml": parallel, "timed.yaml": timed,
        ]
    }

    func harness(limits: [String: Int] = [:]) async throws -> Harness {
        try await Harness(models: ["m": Self.echo()], workflows: Self.all, limits: limits)
    }

    /// Starts `workflow` streaming and reads to its end.
    func run(_ c: AgnoConnection, _ workflow: String, input: String, runID: String? = nil) throws -> (String, StreamCapture) {
        let (id, rid) = try c.startStreaming(workflow, input: input, runID: runID)
        var cap = StreamCapture()
        try c.capture(rid, into: &cap)
        return (id, cap)
    }

    /// Answers the pause and streams the run to its next end.
    func answer(_ c: AgnoConnection, _ runID: String, _ decision: Review.Decision, input: JSONValue? = nil) throws -> StreamCapture {
        let id = try c.send(.continue(ContinueRequest(runID: runID, decision: decision, input: input, stream: true)))
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        return cap
    }

    func event(_ cap: StreamCapture, _ name: String) -> JSONValue? { cap.events.first { $0.event["event"]?.stringValue == name }?.event }

    @Test func aConfirmationPausesTheRunWhichHoldsNoSlotAndContinuesWithItsWholeHistory() async throws {
        let h = try await harness(limits: ["active_runs": 1])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, paused) = try run(c, "confirm", input: "topic")
        #expect(paused.end?.status == .paused)
        #expect(Array(paused.names.suffix(2)) == ["StepPaused", "WorkflowPaused"])
        let requirement = try #require(event(paused, "StepPaused")?["requirement"])
        #expect(requirement["kind"]?.stringValue == "confirmation")
        #expect(requirement["message"]?.stringValue == "Publish it?")
        #expect(requirement["step_path"]?.stringValue == "publish")
        #expect(paused.end?.waitingFor?.stepName == "publish")
        #expect(paused.end?.steps.map(\.status) == [.completed, .paused])

        // status, list and a replay show it PAUSED; the replay ends at once.
        let status = try #require(RunSummary(json: try c.resultOf(.status(StatusRequest(runID: runID)))))
        #expect(status.status == .paused)
        #expect(status.waitingFor?.kind == .confirmation)
        #expect(status.waitingFor?.seq == paused.seqs.dropLast().last)
        let listed = try c.resultOf(.list(ListRequest(statuses: [.paused])))["runs"]?.arrayValue ?? []
        #expect(listed.compactMap { $0["run_id"]?.stringValue } == [runID])
        let sid = try c.send(.stream(StreamRequest(runID: runID)))
        var replay = StreamCapture()
        try c.capture(sid, into: &replay)
        #expect(replay.seqs == paused.seqs)
        #expect(replay.end?.status == .paused)

        // It holds no slot: with active_runs 1, another run runs to its end meanwhile.
        let (_, other) = try run(c, "confirm", input: "second")
        #expect(other.end?.status == .paused)

        // Approved: the step runs on the first step's output, and the run completes; seq goes on without a gap.
        let done = try answer(c, runID, .approve)
        #expect(done.end?.status == .completed, "\(done.end?.error ?? "")")
        #expect(done.names.first == "StepContinued")
        let continued = try #require(event(done, "StepContinued"))
        #expect(continued["decision"]?.stringValue == "approve")
        #expect(continued["by"]?.stringValue == NSUserName() || continued["by"]?.stringValue?.isEmpty == false)
        #expect(!done.names.contains("WorkflowStarted"))
        #expect(paused.seqs + done.seqs == Array(1...(paused.seqs.count + done.seqs.count)))
        #expect(done.end?.content == "PUBLISH<DRAFT<topic>>")
        #expect(done.end?.waitingFor == nil)
        #expect(done.end?.reviews.map(\.decision) == [.approve])

        // Continuing a run that is not PAUSED is a conflict naming its status.
        let conflict = try c.errorOf(.continue(ContinueRequest(runID: runID, decision: .approve)))
        #expect(conflict.code == .conflict)
        #expect(conflict.message.contains("COMPLETED"))
    }

    @Test func userInputIsCheckedFieldByFieldAndNothingChangesWhenItIsRefused() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, paused) = try run(c, "ask", input: "topic")
        #expect(paused.end?.status == .paused)
        #expect(paused.end?.waitingFor?.schema.map(\.name) == ["tone", "words"])
        let before = try c.resultOf(.status(StatusRequest(runID: runID)))

        let cases: [(JSONValue?, Review.Decision, String)] = [
            (nil, .approve, "'input.tone' is required"),
            (.object([("tone", .int(3))]), .approve, "'input.tone' must be a string, not an integer"),
            (.object([("tone", .string("loud"))]), .approve, "'input.tone' must be one of formal, casual"),
            (.object([("tone", .string("formal")), ("words", .string("ten"))]), .approve, "'input.words' must be an integer"),
            (.object([("tone", .string("formal")), ("colour", .string("red"))]), .approve, "'input.colour' is not a field"),
            (.object([("tone", .string("formal"))]), .reject, "goes with \"approve\" only"),
        ]
        for (input, decision, needle) in cases {
            let error = try c.errorOf(.continue(ContinueRequest(runID: runID, decision: decision, input: input)))
            #expect(error.code == .badRequest, "\(needle)")
            #expect(error.message.contains(needle), "\(error.message)")
        }
        try c.sendRaw(Array(#"{"id":"raw","op":"continue","run_id":"\#(runID)","decision":"maybe"}"#.utf8) + [10])
        guard case .error(_, let bad) = try c.reply(for: .string("raw")) else { throw TestError("decision 'maybe' was accepted") }
        #expect(bad.code == .badRequest)
        #expect(bad.message.contains("'decision'"))
        // Nothing changed.
        #expect(try c.resultOf(.status(StatusRequest(runID: runID))) == before)

        let done = try answer(c, runID, .approve, input: .object([("tone", .string("formal")), ("words", .int(12))]))
        #expect(done.end?.status == .completed, "\(done.end?.error ?? "")")
        // The agent got the fields with its input.
        #expect(done.end?.steps.first?.content?.contains("User input:\n- tone: formal\n- words: 12") == true)
        #expect(done.end?.reviews.first?.input?["tone"]?.stringValue == "formal")
    }

    @Test func anOutputReviewRejectedWithRetryRunsTheStepAgainAndAnApprovedOutputIsUsed() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, first) = try run(c, "review", input: "topic")
        #expect(first.end?.status == .paused)
        #expect(first.end?.waitingFor?.kind == .outputReview)
        #expect(first.end?.waitingFor?.content == "DRAFT<topic>")
        let input = try c.errorOf(.continue(ContinueRequest(runID: runID, decision: .approve, input: .object([("x", .int(1))]))))
        #expect(input.code == .badRequest)
        #expect(input.message.contains("not for input"))

        let again = try answer(c, runID, .reject)
        #expect(again.end?.status == .paused)
        let started = again.events.first { $0.event["event"]?.stringValue == "StepStarted" }?.event
        #expect(started?["attempt"]?.intValue == 2)
        #expect(again.end?.waitingFor?.content == "DRAFT<topic>")
        #expect(again.end?.reviews.map(\.action) == [.retry])

        let done = try answer(c, runID, .approve)
        #expect(done.end?.status == .completed, "\(done.end?.error ?? "")")
        #expect(done.end?.content == "PUBLISH<DRAFT<topic>>")
        #expect(!done.names.contains("RunStarted") || done.events.filter { $0.event["event"]?.stringValue == "RunStarted" }.count == 1)
    }

    @Test func aRejectedOutputWithSkipPassesTheInputOnAndARejectedConfirmationCancels() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, paused) = try run(c, "skippable", input: "topic")
        #expect(paused.end?.waitingFor?.content == "PUBLISH<DRAFT<topic>>")
        let done = try answer(c, runID, .reject)
        #expect(done.end?.status == .completed)
        #expect(done.end?.content == "OTHER<DRAFT<topic>>")
        #expect(done.end?.steps.map(\.status) == [.completed, .skipped, .completed])

        let (second, _) = try run(c, "confirm", input: "topic")
        let cancelled = try answer(c, second, .reject)
        #expect(cancelled.end?.status == .cancelled)
        #expect(cancelled.names.suffix(2) == ["StepContinued", "WorkflowCancelled"])
        #expect(event(cancelled, "WorkflowCancelled")?["reason"]?.stringValue?.contains("rejected by") == true)

        // A PAUSED run can be cancelled.
        let (third, _) = try run(c, "confirm", input: "topic")
        let result = try c.resultOf(.cancel(CancelRequest(runID: third)))
        #expect(result["cancelled"]?.boolValue == true)
        let sid = try c.send(.stream(StreamRequest(runID: third)))
        var cap = StreamCapture()
        try c.capture(sid, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect(cap.names.last == "WorkflowCancelled")
        #expect(cap.end?.steps.last?.status == .cancelled)
    }

    @Test func aLoopAsksBeforeEveryIterationAndARouterLetsThePersonChooseTheRoute() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, first) = try run(c, "looped", input: "x")
        #expect(first.end?.waitingFor?.stepPath == "rounds[1]")
        let second = try answer(c, runID, .approve)
        #expect(second.end?.waitingFor?.stepPath == "rounds[2]")
        #expect(second.names.contains("LoopIterationCompleted"))
        let third = try answer(c, runID, .approve)
        #expect(third.end?.waitingFor?.stepPath == "rounds[3]")
        let done = try answer(c, runID, .reject)
        #expect(done.end?.status == .completed)
        #expect(done.end?.content == "DRAFT<DRAFT<x>>")
        #expect(event(done, "LoopExecutionCompleted")?["total_iterations"]?.intValue == 2)
        // The loop's events were sent once each over the three segments.
        let all = first.names + second.names + third.names + done.names
        #expect(all.filter { $0 == "LoopExecutionStarted" }.count == 1)
        #expect(all.filter { $0 == "LoopIterationStarted" }.count == 2)

        let (routed, paused) = try run(c, "routed", input: "y")
        #expect(paused.end?.waitingFor?.schema.first?.choices == ["draft", "other"])
        let chosen = try answer(c, routed, .approve, input: .object([("route", .string("other"))]))
        #expect(chosen.end?.status == .completed)
        #expect(chosen.end?.content?.hasPrefix("OTHER<y") == true)
        #expect(event(chosen, "RouterExecutionStarted")?["selected_steps"]?.arrayValue?.first?.stringValue == "other")
    }

    @Test func stepsAndConditionsAreReviewedToo() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, first) = try run(c, "constructs", input: "c")
        #expect(first.end?.waitingFor?.kind == .outputReview)
        #expect(first.end?.waitingFor?.stepPath == "group")
        #expect(first.end?.waitingFor?.message == "Keep the group's work?")
        #expect(first.end?.waitingFor?.content == "OTHER<DRAFT<c>>")
        // Rejected with retry: the whole group runs again (its steps' second attempt), then is reviewed again.
        let again = try answer(c, runID, .reject)
        #expect(again.end?.waitingFor?.stepPath == "group")
        let attempts = again.events.filter { $0.event["event"]?.stringValue == "StepStarted" }.map {
            "\($0.event["step_path"]?.stringValue ?? "")#\($0.event["attempt"]?.intValue ?? 0)"
        }
        #expect(attempts == ["group/draft#2", "group/other#2"])
        // Approved: the Condition asks next; rejected, it is skipped (a construct's default) and the run completes.
        let condition = try answer(c, runID, .approve)
        #expect(condition.end?.waitingFor?.stepPath == "maybe")
        #expect(condition.end?.waitingFor?.onReject == "skip")
        let done = try answer(c, runID, .reject)
        #expect(done.end?.status == .completed)
        #expect(done.end?.content == "OTHER<DRAFT<c>>")
        #expect(done.end?.steps.map(\.status) == [.completed, .completed, .completed, .skipped, .skipped])
        #expect(done.end?.reviews.map(\.action) == [.retry, .approve, .skip])
    }

    @Test func parallelBranchesThatBothPauseAreAnsweredOneAfterTheOther() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, first) = try run(c, "parallel", input: "p")
        #expect(first.end?.waitingFor?.stepPath == "both/draft")
        let second = try answer(c, runID, .approve)
        #expect(second.end?.waitingFor?.stepPath == "both/other")
        let done = try answer(c, runID, .approve)
        #expect(done.end?.status == .completed)
        #expect(done.end?.content == "PUBLISH<## draft\n\nDRAFT<p>\n\n## other\n\nOTHER<p>>")
        let all = first.names + second.names + done.names
        #expect(all.filter { $0 == "ParallelExecutionStarted" }.count == 1)
        #expect(all.filter { $0 == "RunCompleted" }.count == 3)
    }

    @Test func aPausedRunSurvivesSIGKILLAndItsTimeoutFiresAfterTheRestart() async throws {
        let h = try await harness()
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, paused) = try run(c, "confirm", input: "kept")
        #expect(paused.end?.status == .paused)
        let (timed, timedPause) = try run(c, "timed", input: "late")
        #expect(timedPause.end?.waitingFor?.expiresAt != nil)
        h.daemon.kill()
        try h.daemon.start()
        #expect(h.daemon.logText.contains("paused_runs"))
        let d = try h.connect()
        #expect(RunSummary(json: try d.resultOf(.status(StatusRequest(runID: runID))))?.status == .paused)
        let done = try answer(d, runID, .approve)
        #expect(done.end?.status == .completed)
        #expect(done.end?.content == "PUBLISH<DRAFT<kept>>")

        // The timed one goes on by itself (on_timeout: approve) once its second is up, restart or not.
        // (A PAUSED run's stream ends at once, so ask again until it follows the run to its end; the last
        // answer after the deadline counts, since this task may not run for a while on a loaded machine.)
        var status = RunStatus.paused
        let deadline = Date().addingTimeInterval(60)
        while true {
            let sid = try d.send(.stream(StreamRequest(runID: timed)))
            var cap = StreamCapture()
            try d.capture(sid, into: &cap)
            status = cap.end?.status ?? .error
            if status != .paused || Date() > deadline { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == .completed)
        let summary = try #require(RunSummary(json: try d.resultOf(.status(StatusRequest(runID: timed)))))
        #expect(summary.reviews.first?.decision == .timeout)
        #expect(summary.reviews.first?.by == "agnod")
    }
}
