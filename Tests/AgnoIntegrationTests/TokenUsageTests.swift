import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Token usage and cost per model call, step and run: from the provider's `usage`, in agno's `metrics` fields of
/// `RunCompleted`, `StepCompleted` and `WorkflowCompleted`, in the run summary (also after a restart) and in
/// `agnoctl status`.
@Suite struct TokenUsageTests {
    /// USD per million tokens, as agnod.yaml gives them.
    static let prices: JSONValue = .object([("m", .object([("input", .double(2.5)), ("output", .double(10))]))])

    @Test func aTwoStepRunReportsEachStepsTokensAndCostAndTheirSumForTheRun() async throws {
        let h = try await Harness(
            models: ["fast": .fast("dragon", count: 40)],
            workflows: ["article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "fast:m")],
            providerSettings: ["fast": [("prices", Self.prices)]])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("article", input: "A dragon learns to code")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed)

        let requests = h.models["fast"]!.stats.requests
        #expect(requests.count == 2)
        #expect(requests[0]["stream_options"]?["include_usage"] == .bool(true))
        let prompts = requests.map(ScriptedModelServer.promptTokens)
        #expect(prompts[0] == 10 + 5 && prompts[1] == 9 + 40)  // instructions + input words

        func metrics(_ name: String) -> [RunMetrics] {
            cap.events.filter { $0.event["event"]?.stringValue == name }.compactMap { $0.event["metrics"].flatMap(RunMetrics.init(json:)) }
        }
        let steps = metrics("StepCompleted")
        #expect(steps.map(\.inputTokens) == prompts)
        #expect(steps.map(\.outputTokens) == [40, 40])
        #expect(steps.map(\.totalTokens) == prompts.map { $0 + 40 })
        #expect(steps.map(\.modelCalls) == [1, 1])
        #expect(steps.allSatisfy { !$0.usageEstimated && ($0.duration ?? -1) >= 0 && ($0.timeToFirstToken ?? -1) >= 0 })
        for (step, prompt) in zip(steps, prompts) {
            #expect(abs((step.cost ?? -1) - (Double(prompt) * 2.5 + 40 * 10) / 1e6) < 1e-9)
        }
        // The agent's own RunCompleted says the same as its step.
        #expect(metrics("RunCompleted").map(\.totalTokens) == steps.map(\.totalTokens))

        let workflow = try #require(metrics("WorkflowCompleted").first)
        #expect(workflow.inputTokens == prompts.reduce(0, +) && workflow.outputTokens == 80 && workflow.modelCalls == 2)
        #expect(abs((workflow.cost ?? -1) - ((steps[0].cost ?? 0) + (steps[1].cost ?? 0))) < 1e-9)
        #expect((workflow.duration ?? -1) >= (steps[0].duration ?? 0))

        // The summary: the run's and each step's, the same after a restart (read back from the store).
        let summary = try #require(cap.end)
        #expect(summary.metrics?.totalTokens == workflow.totalTokens)
        #expect(summary.steps.map { $0.metrics?.totalTokens } == steps.map(\.totalTokens))
        h.daemon.stop()
        try h.daemon.start()
        let stored = try #require(RunSummary(json: try h.connect().resultOf(.status(StatusRequest(runID: runID)))))
        #expect(stored.metrics?.inputTokens == workflow.inputTokens && stored.metrics?.outputTokens == 80)
        #expect(stored.metrics?.cost == summary.metrics?.cost)
        #expect(stored.steps.map { $0.metrics?.outputTokens } == [40, 40])

        let status = try h.daemon.agnoctl(["status", runID])
        #expect(status.status == 0)
        let total = prompts.reduce(0, +) + 80
        #expect(status.stdout.contains("Tokens:   \(total) tokens (\(prompts.reduce(0, +)) in, 80 out), 2 model calls, cost 0.000"))
        #expect(status.stdout.contains("\(prompts[0] + 40) tokens (\(prompts[0]) in, 40 out)"))
    }

    @Test func aStepWithToolCallsAddsUpEveryModelCall() async throws {
        let model = ScriptedModelServer { body, _ in
            let last = body["messages"]?.arrayValue?.last
            if last?["role"]?.stringValue == "tool" { return .text(["The ", "answer ", "is ", "42"]) }
            return .toolCall(name: "multiply", arguments: #"{"a": 6, "b": 7}"#)
        }
        let h = try await Harness(
            models: ["tools": model], workflows: ["calc.yaml": Fixtures.oneStep("calc", model: "tools:m", tools: ["calculator"])])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("calc", input: "What is 6 times 7?")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed)
        let requests = model.stats.requests
        #expect(requests.count == 2)
        let step = try #require(cap.end?.metrics)
        #expect(step.modelCalls == 2)
        #expect(step.inputTokens == requests.map(ScriptedModelServer.promptTokens).reduce(0, +))
        // The tool call: its opening chunk and the arguments in pieces of 7 characters; then 4 text pieces.
        let argumentPieces = (#"{"a": 6, "b": 7}"#.count + 6) / 7
        #expect(step.outputTokens == 1 + argumentPieces + 4)
        #expect(step.cost == nil)  // no prices configured
    }

    @Test func aModelServerThatReportsNoUsageGetsItsOutputCountedAndMarkedEstimated() async throws {
        let h = try await Harness(
            models: ["quiet": ScriptedModelServer(.words("owl", count: 12), reportsUsage: false)],
            workflows: ["one.yaml": Fixtures.oneStep("one", model: "quiet:m")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("one", input: "hello")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        let metrics = try #require(cap.end?.metrics)
        #expect(metrics.usageEstimated && metrics.outputTokens == 12 && metrics.inputTokens == 0)
        let status = try h.daemon.agnoctl(["status", runID])
        #expect(status.stdout.contains("Tokens:   ~12 tokens (0 in, 12 out)"))
    }

    @Test func aServerThatRefusesStreamOptionsIsAskedAgainWithoutThemAndNotAskedAgain() async throws {
        let strict = ScriptedModelServer { body, _ in
            if body["stream_options"] != nil {
                return .httpError(status: 400, body: #"{"error":{"message":"Unrecognized request argument supplied: stream_options"}}"#)
            }
            return .words("ok", count: 6)
        }
        let h = try await Harness(models: ["old": strict], workflows: ["one.yaml": Fixtures.oneStep("one", model: "old:m")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        for _ in 0..<2 {
            let (_, id) = try c.startStreaming("one", input: "hello")
            var cap = StreamCapture()
            try c.capture(id, into: &cap)
            #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
            #expect(cap.end?.metrics?.usageEstimated == true && cap.end?.metrics?.outputTokens == 6)
        }
        // Refused once, asked again without; the second run does not ask at all.
        #expect(strict.stats.requests.map { $0["stream_options"] != nil } == [true, false, false])
    }

    @Test func aStepInALoopAddsUpItsIterationsInItsSummary() async throws {
        let loop = """
            name: loop
            agents:
              a: {name: A, model: "m:x", instructions: Go on}
            steps:
              - type: Loop
                name: again
                max_iterations: 2
                end_condition: 'current_iteration >= 2'
                steps:
                  - {name: draft, agent: a}
            """
        let h = try await Harness(models: ["m": .fast("w", count: 5)], workflows: ["loop.yaml": loop])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("loop", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed)
        let draft = try #require(cap.end?.steps.first { $0.name == "draft" }?.metrics)
        #expect(draft.modelCalls == 2 && draft.outputTokens == 10)
        // Each iteration's StepCompleted reports its own call; the summary and the run count both.
        let perIteration = cap.events.filter {
            $0.event["event"]?.stringValue == "StepCompleted" && $0.event["step_name"]?.stringValue == "draft"
        }
        .compactMap { $0.event["metrics"].flatMap(RunMetrics.init(json:))?.outputTokens }
        #expect(perIteration == [5, 5])
        #expect(cap.end?.metrics?.outputTokens == 10 && cap.end?.metrics?.totalTokens == draft.totalTokens)
    }

    @Test func aProviderWithStreamUsageOffIsNotAskedForIt() async throws {
        let h = try await Harness(
            models: ["strict": .fast("owl", count: 7)], workflows: ["one.yaml": Fixtures.oneStep("one", model: "strict:m")],
            providerSettings: ["strict": [("stream_usage", .bool(false))]])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("one", input: "hello")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(h.models["strict"]!.stats.requests.first?["stream_options"] == nil)
        #expect(cap.end?.metrics?.usageEstimated == true && cap.end?.metrics?.outputTokens == 7)
    }
}
