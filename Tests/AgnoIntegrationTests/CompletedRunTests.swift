import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct CompletedRunTests {
    @Test func aTwoStepRunStreamsEveryEventInOrderAndEndsCompleted() async throws {
        let h = try await Harness(models: ["fast": .fast("dragon", count: 40)], workflows: ["article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "fast:m")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("article", input: "A dragon learns to code")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.seqs == Array(1...cap.events.count))
        let names = cap.names
        let expectedHead = ["WorkflowStarted", "StepStarted", "RunStarted"]
        #expect(Array(names.prefix(3)) == expectedHead)
        #expect(names.last == "WorkflowCompleted")
        #expect(names.filter { $0 == "RunContent" }.count == 80)
        #expect(names.filter { $0 == "StepCompleted" }.count == 2)
        // Step 1 gets the run's input; step 2 gets step 1's output.
        let requests = h.models["fast"]!.stats.requests
        #expect(requests.count == 2)
        let firstUser = requests[0]["messages"]?.arrayValue?.last?["content"]?.stringValue
        let secondUser = requests[1]["messages"]?.arrayValue?.last?["content"]?.stringValue
        #expect(firstUser == "A dragon learns to code")
        #expect(secondUser == String(repeating: "dragon ", count: 40))
        #expect(requests[0]["messages"]?.arrayValue?.first?["role"]?.stringValue == "system")
        #expect(requests[0]["stream"] == .bool(true))
        // Agent events carry their own run id and where they run.
        let content = cap.events.first { $0.event["event"]?.stringValue == "RunContent" }!.event
        #expect(content["workflow_run_id"]?.stringValue == runID)
        #expect(content["run_id"]?.stringValue != runID)
        #expect(content["step_name"]?.stringValue == "research" && content["agent_name"]?.stringValue == "Research Agent")
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.end?.content == String(repeating: "dragon ", count: 40))
        #expect(cap.end?.steps.map(\.status) == [.completed, .completed])
        #expect(cap.end?.lastSeq == cap.events.count)
        // A replay is identical: same seqs, same fields, same values.
        let again = try h.connect()
        let sid = try again.send(.stream(StreamRequest(runID: runID)))
        var replay = StreamCapture()
        try again.capture(sid, into: &replay)
        #expect(replay.events.map(\.event) == cap.events.map(\.event))
        #expect(replay.seqs == cap.seqs)
    }

    @Test func aReplayedEventIsByteForByteTheLiveOne() async throws {
        let h = try await Harness(models: ["fast": .fast("dragon", count: 20)], workflows: ["article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "fast:m")])
        defer { h.shutdownNow() }
        let a = try h.connect(), b = try h.connect()
        let id = RequestID.string("same")
        try a.send(.start(StartRequest(workflow: "article", input: "x", stream: true, runID: "bytes-1")), id: id)
        let live = try a.rawFrames(id).dropFirst()  // the start result, then events and end
        try b.send(.stream(StreamRequest(runID: "bytes-1")), id: id)
        let replay = try b.rawFrames(id)
        let frames = 1 + 2 * (20 + 4) + 1 + 1  // WorkflowStarted, two steps, WorkflowCompleted, end
        #expect(live.count == frames)
        #expect(Array(live.dropLast()) == Array(replay.dropLast()))
    }

    @Test func theToolLoopRunsABuiltInToolAndSendsItsResultBackToTheModel() async throws {
        let model = ScriptedModelServer { body, _ in
            let last = body["messages"]?.arrayValue?.last
            if last?["role"]?.stringValue == "tool" {
                return .text(["The answer is ", last?["content"]?.stringValue ?? "?"])
            }
            return .toolCall(name: "multiply", arguments: #"{"a": 6, "b": 7}"#)
        }
        let h = try await Harness(models: ["m": model], workflows: ["calc.yaml": Fixtures.oneStep("calc", model: "m:x", tools: ["calculator"])])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("calc", input: "what is 6 times 7?")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let started = cap.events.first { $0.event["event"]?.stringValue == "ToolCallStarted" }?.event["tool"]
        #expect(started?["name"]?.stringValue == "multiply")
        #expect(started?["arguments"]?["a"]?.intValue == 6)
        let completed = cap.events.first { $0.event["event"]?.stringValue == "ToolCallCompleted" }?.event["tool"]
        #expect(completed?["result"]?.stringValue?.contains("42") == true)
        #expect(cap.end?.content?.contains("42") == true)
        let requests = model.stats.requests
        #expect(requests.count == 2)
        #expect(requests[0]["tools"]?.arrayValue?.count == 8)
        #expect(requests[1]["messages"]?.arrayValue?.contains { $0["role"]?.stringValue == "tool" && $0["content"]?.stringValue?.contains("42") == true } == true)
    }

    @Test func aLongToolResultIsCutInEventsAndWholeInTheRunRecordAcrossARestart() async throws {
        // web_search on a SearXNG stand-in (a loopback server in the recorded format) with long snippets:
        // 8 results of ~1,330 characters each, far beyond the 4 KiB events carry.
        let snippets = (1...8).map { n in "result \(n) " + String(repeating: "lorem\(n) ipsum", count: 110) }
        let results = snippets.enumerated().map { n, text in
            JSONValue.object([("url", .string("https://example.org/\(n)")), ("title", .string("Title \(n)")), ("content", .string(text))])
        }
        let searx = CannedHTTPServer { _ in .answer(contentType: "application/json", body: JSONValue.object([("results", .array(results))]).encodedString) }
        try await searx.start()
        let model = ScriptedModelServer { body, _ in
            body["messages"]?.arrayValue?.last?["role"]?.stringValue == "tool"
                ? .text(["read them all"]) : .toolCall(name: "web_search", arguments: #"{"query": "swift", "max_results": 8}"#)
        }
        let webSearch: JSONValue = .object([
            ("backend", "searxng"), ("base_url", .string(searx.baseURL + "/")), ("max_snippet_characters", 2000),
        ])
        let h = try await Harness(
            models: ["m": model], workflows: ["search.yaml": Fixtures.oneStep("search", model: "m:x", tools: ["web_search"])],
            extra: [("tools", .object([("web_search", webSearch)]))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("search", input: "find swift")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let completed = try #require(cap.events.first { $0.event["event"]?.stringValue == "ToolCallCompleted" })
        let shown = try #require(completed.event["tool"]?["result"]?.stringValue)
        #expect(shown.count == 4096 + "…[truncated]".count && shown.hasSuffix("…[truncated]"))
        #expect(completed.event["tool"]?["result_truncated"]?.boolValue == true)

        // What the model got back is exactly what the run record keeps.
        let given = try #require(model.stats.requests.last?["messages"]?.arrayValue?.last?["content"]?.stringValue)
        #expect(given.count > snippets.map(\.count).reduce(0, +) && given.contains(snippets[7]))
        let reply = try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID)))
        let calls = try #require(reply["tool_calls"]?.arrayValue).compactMap(ToolCallRecord.init(json:))
        #expect(calls.count == 1)
        let call = try #require(calls.first)
        #expect(call.result == given)
        #expect(call.name == "web_search" && call.arguments["query"]?.stringValue == "swift" && call.error == nil)
        #expect(call.seq == completed.seq && call.stepName == "only" && call.stepIndex == 0 && call.durationMS > 0)
        #expect(call.toolCallID == completed.event["tool"]?["tool_call_id"]?.stringValue)
        #expect(try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID, toolCallID: call.toolCallID)))["tool_calls"]?.arrayValue?.count == 1)
        #expect(throws: ProtocolError.self) { try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID, toolCallID: "call_nope"))) }
        #expect(throws: ProtocolError.self) { try c.resultOf(.toolCalls(ToolCallsRequest(runID: "no-such-run"))) }

        // agnoctl prints the whole result; after a restart the record is still there.
        let printed = try h.daemon.agnoctl(["tool-calls", runID])
        #expect(printed.status == 0 && printed.stdout.contains("Result (\(given.count) characters):") && printed.stdout.contains(snippets[7]))
        #expect(h.daemon.stop() == 0)
        try h.daemon.start()
        let after = try h.connect().resultOf(.toolCalls(ToolCallsRequest(runID: runID)))
        #expect(after["tool_calls"]?.arrayValue?.compactMap(ToolCallRecord.init(json:)) == calls)
        await searx.stop()
    }

    @Test func aToolCallLimitStopsAModelThatNeverStopsCallingTools() async throws {
        let model = ScriptedModelServer { body, _ in
            body["tools"] == nil ? .text(["gave up"]) : .toolCall(name: "add", arguments: #"{"a":1,"b":1}"#)
        }
        let wf = Fixtures.oneStep("loop", model: "m:x", tools: ["calculator"]).replacingOccurrences(of: "name: loop\n", with: "name: loop\ntool_call_limit: 3\n")
        let h = try await Harness(models: ["m": model], workflows: ["loop.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("loop", input: "loop forever")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.names.filter { $0 == "ToolCallCompleted" }.count == 3)
        #expect(model.stats.requests.count == 4)
        #expect(cap.end?.content == "gave up")

        // The run record has the same calls, a page at a time, keyed by their events' seqs.
        let ended = cap.events.filter { $0.event["event"]?.stringValue == "ToolCallCompleted" }.map(\.seq)
        let first = try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID, limit: 2)))
        let page1 = try #require(first["tool_calls"]?.arrayValue).compactMap(ToolCallRecord.init(json:))
        #expect(page1.map(\.seq) == Array(ended.prefix(2)) && first["next_after_seq"]?.intValue == ended[1])
        let second = try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID, afterSeq: ended[1], limit: 2)))
        let page2 = try #require(second["tool_calls"]?.arrayValue).compactMap(ToolCallRecord.init(json:))
        #expect(page2.map(\.seq) == [ended[2]] && second["next_after_seq"] == .null)
        #expect((page1 + page2).allSatisfy { $0.name == "add" && $0.result?.contains("\"result\":2") == true })
        let printed = try h.daemon.agnoctl(["tool-calls", "--json", runID])
        #expect(printed.stdout.split(separator: "\n").count == 3)
        #expect(throws: ProtocolError.self) { try c.resultOf(.toolCalls(ToolCallsRequest(runID: runID, limit: 0))) }
    }

    @Test func aModelThatCallsToolsAfterTheLimitWithNoToolsOfferedEndsTheStep() async throws {
        let model = ScriptedModelServer { _, _ in .toolCall(name: "add", arguments: #"{"a":1,"b":1}"#) }  // whatever it is offered
        let wf = Fixtures.oneStep("loop", model: "m:x", tools: ["calculator"]).replacingOccurrences(of: "name: loop\n", with: "name: loop\ntool_call_limit: 2\n")
        let h = try await Harness(models: ["m": model], workflows: ["loop.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("loop", input: "loop forever")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .error)
        #expect(cap.end?.error?.contains("the model kept calling tools after the run's tool_call_limit (2) was reached") == true, "\(cap.end?.error ?? "")")
        #expect(model.stats.requests.count == 3)  // two rounds with tools, one without
    }

    @Test func aFailingToolBecomesAnErrorResultForTheModel() async throws {
        let model = ScriptedModelServer { body, _ in
            let last = body["messages"]?.arrayValue?.last
            if last?["role"]?.stringValue == "tool" { return .text(["saw: ", last?["content"]?.stringValue ?? ""]) }
            return .toolCall(name: "divide", arguments: #"{"a":1,"b":0}"#)
        }
        let h = try await Harness(models: ["m": model], workflows: ["d.yaml": Fixtures.oneStep("d", model: "m:x", tools: ["calculator"])])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("d", input: "1/0")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        let error = cap.events.first { $0.event["event"]?.stringValue == "ToolCallError" }?.event["tool"]?["error"]?.stringValue
        #expect(error?.contains("division by zero") == true)
        #expect(cap.end?.content?.contains("division by zero") == true)
    }
}
