import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Tests on the embedded default model (llama.cpp server with SmolLM2-135M). scripts/test.sh starts it and
/// sets AGNOD_TEST_MODEL_URL; without it these tests are skipped.
@Suite(.enabled(if: RealModel.url != nil, "needs the real model server (AGNOD_TEST_MODEL_URL; scripts/test.sh starts it)"), .serialized)
struct RealModelTests {
    func daemon(workflows: [String: String]) throws -> TestDaemon {
        let d = try TestDaemon(providers: ["local": RealModel.url!], defaultModel: "local:smollm2", workflows: workflows)
        try d.start()
        return d
    }

    static var article: String {
        (try? String(contentsOfFile: RealModel.repoRoot.appendingPathComponent("systemd/workflows/article.yaml").path, encoding: .utf8))
            ?? ""
    }

    @Test func theShippedArticleWorkflowCompletesWithContentFromBothSteps() throws {
        let d = try daemon(workflows: ["article.yaml": Self.article])
        defer { d.stop() }
        let c = try d.connect()
        let (_, id) = try c.startStreaming("article", input: "A dragon who learns to code")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "error: \(cap.end?.error ?? "")")
        #expect(cap.end?.steps.count == 2)
        for step in cap.end?.steps ?? [] {
            #expect(step.status == .completed)
            #expect(
                (step.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines).count > 20,
                "step \(step.name) wrote: \(step.content ?? "")")
        }
        #expect(cap.names.filter { $0 == "RunContent" }.count > 10)
        // llama.cpp's server streams no usage: the tokens are the streamed pieces, marked estimated, and
        // there are at least as many as the content chunks (tool-call pieces count too).
        let metrics = try #require(cap.end?.metrics)
        #expect(metrics.usageEstimated && metrics.inputTokens == 0)
        #expect(metrics.outputTokens >= cap.names.filter { $0 == "RunContent" }.count && metrics.modelCalls >= 2)
        #expect(cap.end?.steps.allSatisfy { ($0.metrics?.outputTokens ?? 0) > 0 } == true)
        // The researcher searched first, as the seed's does; here, without network, the search fails and the
        // model is told so (with network it completes): either way the run goes on.
        let calls = cap.events.filter { $0.event["event"]?.stringValue == "ToolCallStarted" }
        #expect(calls.first?.event["tool"]?["name"]?.stringValue == "web_search")
        #expect(cap.names.contains("ToolCallError") || cap.names.contains("ToolCallCompleted"))
    }

    @Test func aCancelMidGenerationFreesTheModelForTheNextRequest() throws {
        let long = """
            name: long
            agents:
              writer:
                name: Writing Agent
                model: default
                instructions: Write a very long and detailed story.
                max_tokens: 1500
            steps:
              - name: writing
                agent: writer
            """
        let d = try daemon(workflows: ["long.yaml": long])
        defer { d.stop() }
        let a = try d.connect()
        let b = try d.connect()
        let (runID, id) = try a.startStreaming("long", input: "Write a very long story about a dragon who learns to code.")
        var cap = StreamCapture()
        try a.capture(id, into: &cap) { $0.names.filter { $0 == "RunContent" }.count >= 20 }
        _ = try b.resultOf(.cancel(CancelRequest(runID: runID)))
        try a.capture(id, into: &cap)
        #expect(cap.end?.status == .cancelled)
        #expect((cap.end?.content ?? "").count > 0)
        // The single-slot server stopped generating: a next run gets its first token promptly,
        // not after the ~1500 tokens (25 s at 60 tokens/s) the cancelled one asked for.
        let started = ContinuousClock.now
        let (_, id2) = try b.startStreaming("long", input: "Say hello.")
        var next = StreamCapture()
        try b.capture(id2, into: &next) { $0.names.contains("RunContent") }
        let firstToken = ContinuousClock.now - started
        #expect(firstToken < .seconds(10), "first token after \(firstToken)")
        _ = try b.resultOf(.cancel(CancelRequest(runID: next.events.first!.event["run_id"]!.stringValue!)))
    }

    @Test func aToolCallRoundTripThroughTheRealServerReachesABuiltInTool() throws {
        let calc =
            (try? String(
                contentsOfFile: RealModel.repoRoot.appendingPathComponent("systemd/workflows/calculator.yaml").path, encoding: .utf8)) ?? ""
        let d = try daemon(workflows: ["calculator.yaml": calc])
        defer { d.stop() }
        let c = try d.connect()
        let (_, id) = try c.startStreaming("calculator", input: "What is 6 multiplied by 7?")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "error: \(cap.end?.error ?? "")")
        let started = cap.events.filter { $0.event["event"]?.stringValue == "ToolCallStarted" }
        #expect(!started.isEmpty)
        // The tool really ran: a result or a tool error from agnod's own calculator, never a missing tool.
        let outcomes = cap.events.filter { ["ToolCallCompleted", "ToolCallError"].contains($0.event["event"]?.stringValue ?? "") }
        #expect(!outcomes.isEmpty)
        let names = started.compactMap { $0.event["tool"]?["name"]?.stringValue }
        #expect(
            names.allSatisfy {
                ["add", "subtract", "multiply", "divide", "exponentiate", "square_root", "factorial", "is_prime"].contains($0)
            }, "\(names)")
    }
}

enum RealModel {
    static var url: String? {
        let v = ProcessInfo.processInfo.environment["AGNOD_TEST_MODEL_URL"]
        return (v?.isEmpty ?? true) ? nil : v
    }

    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// The shipped v2 workflow (systemd/workflows/review.yaml) on the real model: every construct, end to end. In
/// the suite above, so that it never shares the one model server with another test at the same time.
extension RealModelTests {
    @Test func theShippedReviewWorkflowRunsEveryConstructOnTheRealModel() throws {
        let review = try String(
            contentsOfFile: RealModel.repoRoot.appendingPathComponent("systemd/workflows/review.yaml").path, encoding: .utf8)
        let d = try TestDaemon(providers: ["local": RealModel.url!], defaultModel: "local:smollm2", workflows: ["review.yaml": review])
        try d.start()
        defer { d.stop() }
        let c = try d.connect()
        let (_, id) = try c.startStreaming("review", input: "How do dragons learn to code?")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "error: \(cap.end?.error ?? "")")
        #expect(cap.seqs == Array(1...cap.events.count))
        let status = Dictionary(uniqueKeysWithValues: (cap.end?.steps ?? []).map { ($0.path, $0.status) })
        #expect(status["research/find_facts"] == .completed && status["research/find_angles"] == .completed)
        #expect(status["edit/technical_edit/tech_pass"] == .completed && status["edit/general_edit"] == .skipped)
        let loop = cap.end?.steps.first { $0.path == "refine" }
        #expect(loop?.status == .completed && (loop?.iteration ?? 0) >= 1 && (loop?.iteration ?? 0) <= 2)
        // One of the Condition's branches ran, the other is SKIPPED.
        #expect(Set([status["long_enough/summary"], status["long_enough/short_summary"]]) == [.completed, .skipped])
        // Both Parallel branches wrote all they had to say: the server queues the second request instead of
        // cutting the first stream short (llama.cpp's server ends a stream with [DONE] when another request
        // waits, unless started with --interrupt_requests False).
        for branch in ["research/find_facts", "research/find_angles"] {
            let content = cap.end?.steps.first { $0.path == branch }?.content ?? ""
            #expect(content.trimmingCharacters(in: .whitespacesAndNewlines).count > 20, "\(branch) wrote: \(content)")
        }
        let research = cap.end?.steps.first { $0.path == "research" }?.content ?? ""
        #expect(research.hasPrefix("## find_facts\n\n") && research.contains("\n\n## find_angles\n\n"))
        #expect((cap.end?.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines).count > 10)
    }

    /// The shipped human-review workflow (systemd/workflows/publish.yaml) on the real model: the draft's
    /// review, a rejection that drafts again, the audience asked for, then the post.
    @Test func theShippedPublishWorkflowPausesForAPersonOnTheRealModel() throws {
        let publish = try String(
            contentsOfFile: RealModel.repoRoot.appendingPathComponent("systemd/workflows/publish.yaml").path, encoding: .utf8)
        let d = try TestDaemon(providers: ["local": RealModel.url!], defaultModel: "local:smollm2", workflows: ["publish.yaml": publish])
        try d.start()
        defer { d.stop() }
        let c = try d.connect()
        func follow(_ id: RequestID) throws -> StreamCapture {
            var cap = StreamCapture()
            try c.capture(id, into: &cap)
            return cap
        }
        let (runID, id) = try c.startStreaming("publish", input: "Why do cats purr?")
        let first = try follow(id)
        #expect(first.end?.status == .paused, "\(first.end?.error ?? "")")
        #expect(first.end?.waitingFor?.kind == .outputReview)
        #expect((first.end?.waitingFor?.content ?? "").count > 20)
        let redo = try follow(try c.send(.continue(ContinueRequest(runID: runID, decision: .reject, stream: true))))
        #expect(redo.end?.waitingFor?.kind == .outputReview)
        let draft = redo.end?.waitingFor?.content ?? ""
        let ask = try follow(try c.send(.continue(ContinueRequest(runID: runID, decision: .approve, stream: true))))
        #expect(ask.end?.waitingFor?.kind == .userInput)
        #expect(ask.end?.waitingFor?.schema.first?.choices == ["experts", "everyone"])
        let done = try follow(
            try c.send(
                .continue(
                    ContinueRequest(runID: runID, decision: .approve, input: .object([("audience", .string("everyone"))]), stream: true))))
        #expect(done.end?.status == .completed, "\(done.end?.error ?? "")")
        #expect((done.end?.content ?? "").trimmingCharacters(in: .whitespacesAndNewlines).count > 10)
        #expect(done.end?.steps.first?.content == draft)
        #expect(
            first.seqs + redo.seqs + ask.seqs + done.seqs
                == Array(1...(first.seqs.count + redo.seqs.count + ask.seqs.count + done.seqs.count)))
    }
}
