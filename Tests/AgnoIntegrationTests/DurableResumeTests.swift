import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Durable resume: agnod SIGKILLed while a run streams, again and again at random moments, then restarted;
/// the run goes on from its last completed node each time and ends with the output of a run never interrupted,
/// with every seq once and no gap, and replays identical to what was seen live.
@Suite(.serialized) struct DurableResumeTests {
    static let nested = """
        name: nested
        agents:
          plan: {model: "m:x", instructions: "plan"}
          web: {model: "m:x", instructions: "web"}
          draft: {model: "m:x", instructions: "draft"}
          check: {model: "m:x", instructions: "check"}
          write: {model: "m:x", instructions: "write"}
        steps:
          - {name: plan, agent: plan}
          - type: Parallel
            name: gather
            steps:
              - {name: web, agent: web}
              - type: Loop
                name: refine
                max_iterations: 3
                steps:
                  - {name: draft, agent: draft, input: "{{previous_step_content}}"}
                  - {name: check, agent: check}
          - type: Condition
            name: long
            evaluator: 'previous_step_content.size() > 10'
            steps:
              - type: Steps
                name: finish
                steps:
                  - {name: write, agent: write}
        """

    /// Each agent answers with a short digest of its input, in 12 chunks 3 ms apart: deterministic, and slow
    /// enough for kills to land inside a step.
    static func model() -> ScriptedModelServer {
        ScriptedModelServer { body, _ in
            let messages = body["messages"]?.arrayValue ?? []
            let agent = messages.first?["content"]?.stringValue ?? "?"
            let user = messages.last?["content"]?.stringValue ?? ""
            var hash: UInt32 = 2_166_136_261
            for byte in user.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            let words = ["\(agent)(\(user.count)):"] + (0..<10).map { "\(($0 + Int(hash % 97)) % 10)" } + [" \(String(hash, radix: 16))"]
            return .text(words, delay: .milliseconds(3))
        }
    }

    @Test func aRunKilledAtRandomMomentsResumesEachTimeAndEndsAsAnUninterruptedRunDoes() async throws {
        let h = try await Harness(models: ["m": Self.model()], workflows: ["nested.yaml": Self.nested])
        defer { h.shutdownNow() }
        let reference = try h.connect()
        let (_, rid) = try reference.startStreaming("nested", input: "the topic", runID: "reference")
        var expected = StreamCapture()
        try reference.capture(rid, into: &expected)
        #expect(expected.end?.status == .completed, "\(expected.end?.error ?? "")")
        let total = expected.events.count

        var generator = SystemRandomNumberGenerator()
        var seen: [Int: [UInt8]] = [:]
        var kills = 0
        var last = 0
        var end: RunSummary?
        let c = try h.connect()
        // The followed run, and others in flight beside it that the same kills interrupt.
        let others = (1...4).map { "beside-\($0)" }
        for runID in ["killed"] + others {
            _ = try c.resultOf(.start(StartRequest(workflow: "nested", input: "the topic", runID: runID)))
        }
        let maxKills = Int(ProcessInfo.processInfo.environment["AGNOD_RESUME_KILLS"] ?? "") ?? 40
        while end == nil && kills < maxKills {
            let d = try h.connect()
            let id = try d.send(.stream(StreamRequest(runID: "killed", afterSeq: last)))
            // Read a random number of events (1 to a quarter of a run), then kill agnod.
            let wanted = Int.random(in: 1...max(1, total / 4), using: &generator)
            var read = 0
            while read < wanted {
                let raw = try d.rawReply(for: id)
                switch raw.reply {
                case .event(_, let seq, _):
                    #expect(seq == last + 1, "seq \(seq) after \(last)")
                    if let earlier = seen[seq] { #expect(earlier == raw.line, "seq \(seq) differs from what was seen before") }
                    seen[seq] = raw.line
                    last = seq
                    read += 1
                case .end(_, let run):
                    end = run
                    read = wanted
                default:
                    Issue.record("unexpected frame \(String(decoding: raw.line, as: UTF8.self))")
                    read = wanted
                }
            }
            guard end == nil else { break }
            h.daemon.kill()
            kills += 1
            try h.daemon.start()
        }
        #expect(kills >= 3, "the run ended before agnod was killed three times")
        if end == nil {
            // Follow it to its end after the last restart.
            let d = try h.connect()
            let id = try d.send(.stream(StreamRequest(runID: "killed", afterSeq: last)))
            var rest = StreamCapture()
            try d.capture(id, into: &rest)
            end = rest.end
        }
        let run = try #require(end)
        #expect(run.status == .completed, "\(run.error ?? "")")
        #expect(run.content == expected.end?.content)
        #expect(run.steps.map(\.status) == expected.end?.steps.map(\.status))
        #expect(run.steps.map(\.content) == expected.end?.steps.map(\.content))

        // The whole stored run: every seq once, no gap, identical to what was seen live.
        let e = try h.connect()
        let id = try e.send(.stream(StreamRequest(runID: "killed")))
        var replay = StreamCapture()
        let frames = try e.rawFrames(id)
        for frame in frames {
            if case .event(_, let seq, let event)? = Reply(json: try JSONValue.parse(frame)) {
                replay.events.append((seq, event))
                if let live = seen[seq] { #expect(live == frame, "replayed seq \(seq) differs from live") }
            }
        }
        #expect(replay.seqs == Array(1...replay.events.count))
        #expect(run.lastSeq == replay.events.count)
        // Each node's work was done once, except the steps a kill interrupted, which started again.
        let resumed = replay.events.filter { $0.event["resumed"]?.boolValue == true }
        print("durable-resume: \(kills) kills, \(resumed.count) resumed events, \(replay.events.count) events vs \(total) uninterrupted")
        #expect(!resumed.isEmpty, "no step was interrupted by \(kills) kills")
        for event in resumed where event.event["event"]?.stringValue == "StepStarted" {
            #expect((event.event["attempt"]?.intValue ?? 0) >= 2)
        }
        for name in ["WorkflowStarted", "ParallelExecutionStarted", "LoopExecutionStarted", "WorkflowCompleted"] {
            #expect(replay.names.filter { $0 == name }.count == 1, "\(name)")
        }
        let completedSteps = replay.events.filter { $0.event["event"]?.stringValue == "StepCompleted" }.compactMap {
            $0.event["step_path"]?.stringValue
        }
        #expect(completedSteps.count == Set(completedSteps).count, "a completed step ran twice: \(completedSteps)")

        // The runs beside it end the same way.
        for runID in others {
            let id = try e.send(.stream(StreamRequest(runID: runID)))
            var cap = StreamCapture()
            try e.capture(id, into: &cap)
            #expect(cap.end?.status == .completed, "\(runID): \(cap.end?.error ?? "")")
            #expect(cap.end?.content == expected.end?.content, "\(runID)")
            #expect(cap.seqs == Array(1...cap.events.count), "\(runID)")
            #expect(cap.names.filter { $0 == "WorkflowCompleted" }.count == 1)
        }
    }

    @Test func onRestartErrorEndsAnInterruptedRunAsBefore() async throws {
        let h = try await Harness(
            models: ["m": Self.model()],
            workflows: ["nested.yaml": Self.nested.replacingOccurrences(of: "name: nested\n", with: "name: nested\non_restart: error\n")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("nested", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.events.count >= 5 }
        h.daemon.kill()
        try h.daemon.start()
        let d = try h.connect()
        let sid = try d.send(.stream(StreamRequest(runID: runID)))
        var rest = StreamCapture()
        try d.capture(sid, into: &rest)
        #expect(rest.end?.status == .error)
        #expect(rest.end?.error == "interrupted: agnod stopped while the run was running")
    }
}
