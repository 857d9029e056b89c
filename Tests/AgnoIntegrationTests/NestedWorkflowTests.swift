import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Synchronization
import Testing

/// Every node type of WORKFLOWS.md nested in each other, through the real agnod over its socket.
@Suite struct NestedWorkflowTests {
    static let nested = """
        name: nested
        agents:
          plan: {model: "m:x", instructions: "plan"}
          web: {model: "m:x", instructions: "web"}
          draft: {model: "m:x", instructions: "draft"}
          coder: {model: "m:x", instructions: "coder"}
          writer: {model: "m:x", instructions: "writer"}
          facts: {model: "m:x", instructions: "facts"}
          polish: {model: "m:x", instructions: "polish"}
        steps:
          - name: plan
            agent: plan
          - type: Parallel
            name: gather
            steps:
              - {name: web, agent: web}
              - type: Loop
                name: refine
                max_iterations: 5
                end_condition: 'last_step_content.contains("DONE") && current_iteration >= 2'
                steps:
                  - {name: draft, agent: draft}
          - type: Router
            name: route
            selector: 'input.contains("code") ? "coding" : "writing"'
            choices:
              - type: Steps
                name: coding
                steps:
                  - {name: coder, agent: coder}
              - {name: writing, agent: writer}
          - type: Condition
            name: needs_facts
            evaluator: 'previous_step_content.contains("TODO") && "plan" in previous_step_outputs'
            steps:
              - {name: facts, agent: facts, input: "Facts for {{steps.plan.content}} given {{previous_step_content}}"}
            else_steps:
              - {name: polish, agent: polish}
        """

    /// Answers by agent (the system message): drafts count up and say DONE from the second one.
    static func agentModel() -> ScriptedModelServer {
        let drafts = Mutex(0)
        return ScriptedModelServer { body, _ in
            let agent = body["messages"]?.arrayValue?.first?["content"]?.stringValue ?? ""
            switch agent {
            case "draft":
                let n = drafts.withLock { d in
                    d += 1
                    return d
                }
                return .text(["draft ", "\(n)", n >= 2 ? " DONE" : ""])
            case "coder": return .text(["code ", "TODO"])
            default: return .text([agent.uppercased(), "!"])
            }
        }
    }

    @Test func everyNodeTypeNestedRunsWithAgnosEventsPathsAndAGaplessReplay() async throws {
        let h = try await Harness(models: ["m": Self.agentModel()], workflows: ["nested.yaml": Self.nested])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("nested", input: "write code for me")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.seqs == Array(1...cap.events.count))
        let names = cap.names
        for name in [
            "ParallelExecutionStarted", "ParallelExecutionCompleted", "LoopExecutionStarted", "LoopExecutionCompleted",
            "RouterExecutionStarted", "RouterExecutionCompleted", "StepsExecutionStarted", "StepsExecutionCompleted",
            "ConditionExecutionStarted", "ConditionExecutionCompleted",
        ] {
            #expect(names.filter { $0 == name }.count == 1, "\(name)")
        }
        #expect(names.filter { $0 == "LoopIterationStarted" }.count == 2)
        #expect(names.filter { $0 == "LoopIterationCompleted" }.count == 2)
        #expect(names.first == "WorkflowStarted" && names.last == "WorkflowCompleted")
        func events(_ name: String) -> [JSONValue] { cap.events.map(\.event).filter { $0["event"]?.stringValue == name } }
        // Paths with loop iterations; iteration on the loop's steps' events.
        let contentPaths = Set(events("RunContent").compactMap { $0["step_path"]?.stringValue })
        #expect(
            contentPaths == [
                "plan", "gather/web", "gather/refine[1]/draft", "gather/refine[2]/draft", "route/coding/coder", "needs_facts/facts",
            ])
        let secondDraft = events("StepStarted").first { $0["step_path"]?.stringValue == "gather/refine[2]/draft" }
        #expect(secondDraft?["iteration"]?.intValue == 2)
        #expect(secondDraft?["step_name"]?.stringValue == "draft")
        #expect(events("RouterExecutionStarted").first?["selected_steps"] == .array(["coding"]))
        #expect(events("ConditionExecutionStarted").first?["condition_result"] == .bool(true))
        #expect(events("LoopIterationCompleted").map { $0["should_continue"] } == [.bool(true), .bool(false)])
        // Data flow: the Parallel's output is its branches' in order under headings; the Router's choice gets it;
        // the Condition's step renders its template.
        let requests = h.models["m"]!.stats.requests
        func userMessage(_ agent: String) -> String? {
            requests.last { $0["messages"]?.arrayValue?.first?["content"]?.stringValue == agent }?["messages"]?.arrayValue?.last?[
                "content"]?.stringValue
        }
        #expect(userMessage("draft") == "draft 1")  // iteration 2 gets iteration 1's output
        #expect(userMessage("coder") == "## web\n\nWEB!\n\n## refine\n\ndraft 2 DONE")
        #expect(userMessage("facts") == "Facts for PLAN! given code TODO")
        #expect(cap.end?.content == "FACTS!")
        // The summary lists every node with its path; the ones not taken are SKIPPED.
        let steps = try #require(cap.end?.steps)
        #expect(
            steps.map(\.path) == [
                "plan", "gather", "gather/web", "gather/refine", "gather/refine/draft", "route", "route/coding", "route/coding/coder",
                "route/writing", "needs_facts", "needs_facts/facts", "needs_facts/polish",
            ])
        #expect(steps.map(\.index) == Array(0..<12))
        let status = Dictionary(uniqueKeysWithValues: steps.map { ($0.path, $0.status) })
        #expect(status["route/writing"] == .skipped && status["needs_facts/polish"] == .skipped)
        #expect(steps.filter { ![.skipped, .completed].contains($0.status) }.isEmpty)
        #expect(steps.first { $0.path == "gather/refine" }?.iteration == 2)
        #expect(steps.first { $0.path == "gather" }?.type == "Parallel")
        #expect(steps.first { $0.path == "gather" }?.content == "## web\n\nWEB!\n\n## refine\n\ndraft 2 DONE")
        // Replay is identical to live.
        let again = try h.connect()
        let sid = try again.send(.stream(StreamRequest(runID: runID)))
        var replay = StreamCapture()
        try again.capture(sid, into: &replay)
        #expect(replay.events.map(\.event) == cap.events.map(\.event))
        #expect(replay.seqs == cap.seqs)
        // The stored summary (status) is the one `end` gave.
        let stored = try RunSummary(json: again.resultOf(.status(StatusRequest(runID: runID))))
        #expect(stored?.steps == steps)
    }

    @Test func theOtherRouteAndTheElseBranchRunWhenTheExpressionsSaySo() async throws {
        let h = try await Harness(models: ["m": Self.agentModel()], workflows: ["nested.yaml": Self.nested])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("nested", input: "a poem please")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.end?.content == "POLISH!")
        let status = Dictionary(uniqueKeysWithValues: (cap.end?.steps ?? []).map { ($0.path, $0.status) })
        #expect(status["route/coding"] == .skipped && status["route/coding/coder"] == .skipped)
        #expect(
            status["route/writing"] == .completed && status["needs_facts/facts"] == .skipped && status["needs_facts/polish"] == .completed)
        #expect(
            cap.events.first { $0.event["event"]?.stringValue == "ConditionExecutionStarted" }?.event["condition_result"] == .bool(false))
    }

    @Test func aRuntimeCELErrorFailsTheStepWithTheMessage() async throws {
        let wf = """
            name: celfail
            agents:
              a: {model: "m:x", instructions: "a"}
            steps:
              - {name: first, agent: a}
              - type: Condition
                name: check
                evaluator: 'additional_data.missing == "x"'
                steps:
                  - {name: second, agent: a}
            """
        let h = try await Harness(models: ["m": .fast()], workflows: ["celfail.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("celfail", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .error)
        #expect(cap.end?.error?.contains("the evaluator of 'check'") == true, "\(cap.end?.error ?? "")")
        #expect(cap.end?.error?.contains("no such key") == true, "\(cap.end?.error ?? "")")
        #expect(cap.names.suffix(2) == ["StepError", "WorkflowError"])
        #expect(cap.end?.steps.first { $0.path == "check" }?.status == .error)
        #expect(cap.end?.steps.first { $0.path == "check/second" }?.status == .pending)
    }
}

/// `agnoctl status` and `agnoctl run` on nested workflows, and `agnod --check`.
@Suite struct NestedWorkflowCLITests {
    @Test func statusShowsTheStepTreeIndentedWithIterationsAndRunRendersNestedSteps() async throws {
        let h = try await Harness(models: ["m": NestedWorkflowTests.agentModel()], workflows: ["nested.yaml": NestedWorkflowTests.nested])
        defer { h.shutdownNow() }
        let run = try h.daemon.agnoctl(["run", "nested", "write", "code"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("▸ Parallel gather: 2 branches at once"))
        #expect(run.stderr.contains("  ▸ Loop refine: iteration 2/5"))
        #expect(run.stderr.contains("▸ Router route → coding"))
        #expect(run.stderr.contains("▸ Condition needs_facts: true"))
        #expect(run.stderr.contains("    ── route/coding/coder ──"))
        #expect(run.stdout.hasSuffix("FACTS!\n"))
        let runID = try #require(try h.connect().resultOf(.list(ListRequest()))["runs"]?.arrayValue?.first?["run_id"]?.stringValue)
        let status = try h.daemon.agnoctl(["status", runID])
        #expect(status.status == 0)
        let lines = status.stdout.split(separator: "\n").map(String.init)
        let tree = Array(lines.drop { $0 != "Steps:" }.dropFirst().prefix(12))
        #expect(tree.count == 12)
        #expect(tree[0].hasPrefix("  plan ") && tree[0].contains("COMPLETED"))
        #expect(tree[1].hasPrefix("  gather ") && tree[1].contains("Parallel"))
        #expect(tree[3].hasPrefix("    refine ") && tree[3].contains("Loop, 2 iterations"))
        #expect(tree[4].hasPrefix("      draft ") && tree[4].contains("iteration 2"))
        #expect(tree[8].hasPrefix("    writing ") && tree[8].contains("SKIPPED"))
    }

    @Test func agnodCheckValidatesFilesLikeNginxDashT() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agnod-check-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.yaml").path
        let bad = dir.appendingPathComponent("bad.yaml").path
        try NestedWorkflowTests.nested.write(toFile: good, atomically: true, encoding: .utf8)
        try "name: bad\nagents:\n  a: {model: default}\nsteps:\n  - name: s\n    agent: a\n    on_eror: skip\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        let ok = try runProcess(Binaries.agnod, ["--check", good])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("good.yaml: ok (workflow 'nested', 12 nodes)"))
        let refused = try runProcess(Binaries.agnod, ["--check", "--workflows", dir.path])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("bad.yaml:7: unknown key 'on_eror'"))
        #expect(refused.stdout.contains("good.yaml: ok"))
    }

    @Test func everyShippedWorkflowPassesTheCheck() throws {
        let dir = RealModel.repoRoot.appendingPathComponent("systemd/workflows").path
        let result = try runProcess(Binaries.agnod, ["--check", "--workflows", dir])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("review.yaml: ok") && result.stdout.contains("article.yaml: ok"))
        #expect(result.stdout.contains("publish.yaml: ok"))
    }

    @Test func aBadVersion2FileIsRefusedWithItsLineAndTheDaemonServesTheOthers() async throws {
        let bad = """
            name: broken
            agents:
              a: {model: "m:x"}
            steps:
              - type: Router
                name: r
                selector: 'input == "x" ? "one" : "two"'
                choices:
                  - {name: one, agent: a}
            """
        let h = try await Harness(models: ["m": .fast()], workflows: ["nested.yaml": NestedWorkflowTests.nested, "broken.yaml": bad])
        defer { h.shutdownNow() }
        let names = try h.connect().resultOf(.workflows(WorkflowsRequest()))["workflows"]?.arrayValue?.compactMap {
            $0["name"]?.stringValue
        }
        #expect(names == ["nested"])
        #expect(h.daemon.logText.contains("broken.yaml:7:"))
        #expect(h.daemon.logText.contains("can choose 'two', which is not one of its choices"))
        let nodes = try h.connect().resultOf(.workflows(WorkflowsRequest()))["workflows"]?.arrayValue?.first?["nodes"]?.arrayValue
        #expect(nodes?.count == 12)
        #expect(nodes?[3]["path"]?.stringValue == "gather/refine" && nodes?[3]["type"]?.stringValue == "Loop")
    }

    @Test func agnoctlWorkflowsCheckAsksTheRunningDaemon() async throws {
        let h = try await Harness(models: ["m": .fast()], workflows: ["nested.yaml": NestedWorkflowTests.nested])
        defer { h.shutdownNow() }
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agnoctl-check-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.yaml").path
        let bad = dir.appendingPathComponent("bad.yaml").path
        let elsewhere = dir.appendingPathComponent("elsewhere.yaml").path
        try NestedWorkflowTests.nested.write(toFile: good, atomically: true, encoding: .utf8)
        try "name: bad\nagents:\n  a: {model: \"m:x\", tools: [teleport]}\nsteps: [{agent: a}]\n".write(
            toFile: bad, atomically: true, encoding: .utf8)
        try Fixtures.oneStep("elsewhere", model: "nowhere:x").write(toFile: elsewhere, atomically: true, encoding: .utf8)
        let ok = try h.daemon.agnoctl(["workflows", "--check", good, "--check", elsewhere])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        #expect(ok.stdout.contains("good.yaml: ok (workflow 'nested', 12 nodes)"))
        // A provider agnod does not have is a warning (the file loads; its runs would be refused).
        #expect(ok.stderr.contains("elsewhere.yaml: warning: model 'nowhere:x'"))
        let refused = try h.daemon.agnoctl(["workflows", "--check", bad])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("bad.yaml:3: agent 'a' uses unknown tool 'teleport'"))
    }
}
