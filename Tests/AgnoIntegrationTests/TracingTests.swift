import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// OpenTelemetry spans per run, step, model call and tool call, sent by swift-otel over OTLP/HTTP to a real
/// receiver (opentelemetry-proto decodes the protobuf), each with the run's id, nested as the run was.
@Suite(.serialized) struct TracingTests {
    static let python = MetricsTests.python

    /// A model that calls `multiply` once when it is offered tools, then answers; without tools it answers.
    static func toolModel() -> ScriptedModelServer {
        ScriptedModelServer { body, _ in
            if body["messages"]?.arrayValue?.last?["role"]?.stringValue == "tool" { return .text(["It ", "is ", "42"]) }
            if body["tools"] != nil { return .toolCall(name: "multiply", arguments: #"{"a": 6, "b": 7}"#) }
            return .words("done", count: 5)
        }
    }

    @Test(.enabled(if: python != nil, "set AGNOD_OBS_PYTHON (scripts/setup-observability-oracle.sh)"))
    func aRunSendsNestedSpansForItsStepsModelCallsAndToolCalls() async throws {
        let receiver = try OTLPReceiver(python: try #require(Self.python), oracle: MetricsTests.oracle)
        defer { receiver.stop() }
        let h = try await Harness(
            models: ["m": Self.toolModel()],
            workflows: ["article.yaml": Fixtures.twoStep("article", first: "m:x", second: "m:x", tools: ["calculator"])],
            extra: [("tracing", .object([("endpoint", .string("http://127.0.0.1:\(receiver.port)")), ("export_delay", .double(0.1))]))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("article", input: "six times seven")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed)
        // A graceful stop sends the spans still in the batch.
        #expect(h.daemon.stop() == 0)

        let exports = receiver.exports
        #expect(!exports.isEmpty)
        #expect(exports.allSatisfy { $0.path == "/v1/traces" && $0.contentType == "application/x-protobuf" && $0.serviceName == "agnod" })
        let spans = exports.flatMap(\.spans)
        let run = try #require(spans.first { $0.name == "workflow_run" })
        #expect(run.string("run_id") == runID && run.string("workflow") == "article" && run.string("status") == "COMPLETED")
        #expect(run.parentID == nil || run.parentID == "")
        #expect(run.int("gen_ai.usage.output_tokens") == cap.end?.metrics?.outputTokens)
        // Everything is one trace, and every span names the run.
        #expect(spans.allSatisfy { $0.traceID == run.traceID && $0.string("run_id") == runID })
        let steps = spans.filter { $0.name == "step" }
        #expect(Set(steps.compactMap { $0.string("step.name") }) == ["research", "writing"] && steps.count == 2)
        #expect(steps.allSatisfy { $0.parentID == run.spanID && $0.string("step.status") == "COMPLETED" })
        let research = try #require(steps.first { $0.string("step.name") == "research" })
        let writing = try #require(steps.first { $0.string("step.name") == "writing" })
        let calls = spans.filter { $0.name == "model_call" }
        #expect(calls.filter { $0.parentID == research.spanID }.count == 2)  // the tool call, then the answer
        #expect(calls.filter { $0.parentID == writing.spanID }.count == 1)
        #expect(calls.allSatisfy { $0.string("gen_ai.system") == "m" && $0.string("gen_ai.request.model") == "x" })
        #expect(calls.compactMap { $0.int("gen_ai.usage.output_tokens") }.reduce(0, +) == cap.end?.metrics?.outputTokens)
        let tool = try #require(spans.first { $0.name == "tool_call" })
        #expect(tool.parentID == research.spanID && tool.string("tool.name") == "multiply")
    }

    @Test(.enabled(if: python != nil, "set AGNOD_OBS_PYTHON (scripts/setup-observability-oracle.sh)"))
    func jsonToAGivenPathAndParallelBranchesUnderTheirConstructAndAFailedStepMarkedError() async throws {
        let receiver = try OTLPReceiver(python: try #require(Self.python), oracle: MetricsTests.oracle)
        defer { receiver.stop() }
        let workflow = """
            name: fan
            agents:
              a: {name: A, model: m:x, instructions: one}
              b: {name: B, model: bad:x, instructions: two}
            steps:
              - type: Parallel
                name: gather
                steps:
                  - {name: left, agent: a}
                  - {name: right, agent: a}
              - {name: broken, agent: b}
            """
        let h = try await Harness(
            models: ["m": .fast("w", count: 4), "bad": ScriptedModelServer(.httpError(status: 503, body: "down"))],
            workflows: ["fan.yaml": workflow],
            extra: [
                (
                    "tracing",
                    .object([
                        ("endpoint", .string("http://127.0.0.1:\(receiver.port)/custom/v1/traces")), ("protocol", "http/json"),
                        ("export_delay", .double(0.1)), ("service_name", "agnod-test"),
                    ])
                )
            ])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("fan", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .error)
        #expect(h.daemon.stop() == 0)

        let exports = receiver.exports
        #expect(exports.allSatisfy { $0.path == "/custom/v1/traces" && $0.contentType == "application/json" })
        #expect(exports.first?.serviceName == "agnod-test")
        let spans = exports.flatMap(\.spans).filter { $0.string("run_id") == runID }
        let run = try #require(spans.first { $0.name == "workflow_run" })
        #expect(run.string("status") == "ERROR" && run.statusCode == "2")
        let gather = try #require(spans.first { $0.string("step.name") == "gather" })
        #expect(gather.parentID == run.spanID && gather.string("step.type") == "Parallel")
        let branches = spans.filter { ["left", "right"].contains($0.string("step.name")) }
        #expect(branches.count == 2 && branches.allSatisfy { $0.parentID == gather.spanID })
        let broken = try #require(spans.first { $0.string("step.name") == "broken" })
        #expect(broken.string("step.status") == "ERROR" && broken.statusCode == "2")
        let failedCall = try #require(spans.first { $0.name == "model_call" && $0.parentID == broken.spanID })
        #expect(failedCall.statusCode == "2")
    }
}
