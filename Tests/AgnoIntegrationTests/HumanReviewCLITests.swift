import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// `agnoctl run`, `continue`, `status` and `list` on runs that pause for a human review, through the real
/// binaries over the real socket.
@Suite struct HumanReviewCLITests {
    /// A draft, then a step that asks before it publishes.
    static let publish = """
        name: publish
        agents:
          draft: {model: "m:x", instructions: "draft"}
          publish: {model: "m:x", instructions: "publish"}
        steps:
          - {name: draft, agent: draft}
          - name: publish
            agent: publish
            human_review:
              requires_confirmation: true
              confirmation_message: "Publish it?"
              on_reject: cancel
        """

    /// A step that asks for typed input, then one that asks for a confirmation.
    static let tuned = """
        name: tuned
        agents:
          tune: {model: "m:x", instructions: "tune"}
          publish: {model: "m:x", instructions: "publish"}
        steps:
          - name: tune
            agent: tune
            human_review:
              requires_user_input: true
              user_input_message: "How should it sound?"
              user_input_schema:
                - {name: tone, type: string, required: true, choices: [formal, casual]}
                - {name: count, type: integer, description: how many paragraphs}
          - name: publish
            agent: publish
            human_review:
              requires_confirmation: true
              confirmation_message: "Publish it?"
        """

    /// Answers with the agent's instructions in capitals.
    static func model() -> ScriptedModelServer {
        ScriptedModelServer { body, _ in
            .text([(body["messages"]?.arrayValue?.first?["content"]?.stringValue ?? "").uppercased(), "!"])
        }
    }

    static func harness() async throws -> Harness {
        try await Harness(models: ["m": model()], workflows: ["publish.yaml": publish, "tuned.yaml": tuned])
    }

    /// The user message the model got for `agent`.
    static func userMessage(_ h: Harness, _ agent: String) -> String? {
        h.models["m"]!.stats.requests.last { $0["messages"]?.arrayValue?.first?["content"]?.stringValue == agent }?["messages"]?
            .arrayValue?.last?["content"]?.stringValue
    }

    @Test func runWithoutATerminalExits3WithTheContinueCommandAndContinueFollowFinishesIt() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let run = try h.daemon.agnoctl(["run", "--run-id", "pub-1", "publish", "a", "topic"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stdout == "DRAFT!\n")
        #expect(run.stderr.contains("⏸ step 'publish' waits for confirmation: Publish it?"))
        #expect(run.stderr.contains("run pub-1 PAUSED"))
        #expect(run.stderr.contains("if rejected: the run is cancelled"))
        #expect(run.stderr.contains("answer with: agnoctl continue pub-1 --approve\n"))
        #expect(run.stderr.contains("or: agnoctl continue pub-1 --reject\n"))
        #expect(h.models["m"]!.stats.requests.count == 1)  // publish did not run

        let status = try h.daemon.agnoctl(["status", "pub-1"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("Status:   PAUSED"))
        let publishLine = status.stdout.split(separator: "\n").first { $0.hasPrefix("  publish ") }
        #expect(publishLine?.contains("PAUSED") == true && publishLine?.contains("waits for confirmation") == true)
        #expect(status.stdout.contains("Waiting:  step 'publish' waits for confirmation: Publish it?"))
        #expect(status.stdout.contains("Answer:   agnoctl continue pub-1 --approve"))
        let list = try h.daemon.agnoctl(["list", "--status", "paused"])
        #expect(list.stdout.split(separator: "\n").contains { $0.hasPrefix("pub-1 ") && $0.contains("PAUSED") })

        let resumed = try h.daemon.agnoctl(["continue", "pub-1", "--approve", "--follow"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout == "PUBLISH!\n")
        #expect(resumed.stderr.contains("▶ step 'publish' approved by "))
        #expect(resumed.stderr.contains("run pub-1 COMPLETED"))
        let done = try h.daemon.agnoctl(["status", "pub-1"])
        #expect(done.stdout.contains("Status:   COMPLETED") && !done.stdout.contains("Waiting:"))
        #expect(done.stdout.contains("Reviews:\n  publish  confirmation  approved by "))
    }

    @Test func jsonRunPrintsTheFramesAndStillExits3() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let run = try h.daemon.agnoctl(["run", "--json", "--run-id", "pub-j", "publish", "x"])
        #expect(run.status == 3)
        let last = try JSONValue.parse(Array(run.stdout.split(separator: "\n").last.map { Array($0.utf8) } ?? []))
        #expect(last["type"]?.stringValue == "end" && last["run"]?["status"]?.stringValue == "PAUSED")
        #expect(last["run"]?["waiting_for"]?["kind"]?.stringValue == "confirmation")
        #expect(run.stderr.contains("⏸ run pub-j: step 'publish' waits for confirmation"))
        #expect(run.stderr.contains("answer with: agnoctl continue pub-j --approve"))
    }

    @Test func setValuesAreTypedByTheSchemaAndAgnodNamesAMissingRequiredField() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let run = try h.daemon.agnoctl(["run", "--run-id", "tune-1", "tuned", "x"])
        #expect(run.status == 3)
        #expect(run.stderr.contains("⏸ step 'tune' waits for input: How should it sound?"))
        #expect(run.stderr.contains("tone (string, required, one of: formal, casual)"))
        #expect(run.stderr.contains("count (integer): how many paragraphs"))
        #expect(run.stderr.contains("answer with: agnoctl continue tune-1 --approve --set tone=…\n"))

        // A value of the wrong type is refused by agnoctl: a usage error naming the field.
        let mistyped = try h.daemon.agnoctl(["continue", "tune-1", "--approve", "--set", "tone=formal", "--set", "count=abc"])
        #expect(mistyped.status == 2)
        #expect(mistyped.stderr == "agnoctl: field 'count' takes an integer, not 'abc'\n")
        let badChoice = try h.daemon.agnoctl(["continue", "tune-1", "--approve", "--set", "tone=shouty"])
        #expect(badChoice.status == 2 && badChoice.stderr.contains("field 'tone' must be one of formal, casual"))
        // A missing required field is agnod's bad_request, naming it.
        let missing = try h.daemon.agnoctl(["continue", "tune-1", "--approve", "--set", "count=3"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("'input.tone' is required") && missing.stderr.contains("[bad_request]"))
        let still = try RunSummary(json: h.connect().resultOf(.status(StatusRequest(runID: "tune-1"))))
        #expect(still?.status == .paused && still?.reviews.isEmpty == true && still?.waitingFor?.stepName == "tune")

        // Typed right, the count goes as an integer; without --follow, continue prints the run and its status.
        let ok = try h.daemon.agnoctl(["continue", "tune-1", "--approve", "--set", "tone=formal", "--set", "count=3"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.hasPrefix("run tune-1 "))
        // It pauses again at publish: attach replays the StepContinued, then ends PAUSED (exit 3).
        let attach = try h.daemon.agnoctl(["attach", "tune-1"])
        #expect(attach.status == 3)
        #expect(attach.stderr.contains("▶ step 'tune' approved by ") && attach.stderr.contains("(tone=formal, count=3)"))
        #expect(attach.stderr.contains("answer with: agnoctl continue tune-1 --approve\n"))
        let after = try RunSummary(json: h.connect().resultOf(.status(StatusRequest(runID: "tune-1"))))
        #expect(after?.reviews.first?.input == .object([("tone", .string("formal")), ("count", .int(3))]))
        #expect(Self.userMessage(h, "tune")?.hasSuffix("User input:\n- tone: formal\n- count: 3") == true)
    }

    @Test func rejectWithOnRejectCancelEndsCancelledWith130AndAFinishedRunCannotBeContinued() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        #expect(try h.daemon.agnoctl(["run", "--run-id", "pub-r", "publish", "x"]).status == 3)
        let rejected = try h.daemon.agnoctl(["continue", "pub-r", "--reject", "--follow"])
        #expect(rejected.status == 130, "\(rejected.stderr)")
        #expect(rejected.stderr.contains("▶ step 'publish' rejected by ") && rejected.stderr.contains(": the run is cancelled"))
        #expect(rejected.stderr.contains("run pub-r CANCELLED"))
        #expect(h.models["m"]!.stats.requests.count == 1)
        let again = try h.daemon.agnoctl(["continue", "pub-r", "--approve"])
        #expect(again.status == 1 && again.stderr.contains("[conflict]"))
    }

    @Test func atATerminalRunAsksReasksABadValueAndGoesOnThroughTwoPauses() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let tty = try PseudoTerminal(
            Binaries.agnoctl, ["run", "--run-id", "tty-1", "tuned", "x"], environment: ["AGNOD_SOCKET": h.daemon.socket])
        let asked = tty.read(until: "Approve? [y/n] ")
        #expect(asked?.contains("⏸ step 'tune' waits for input: How should it sound?") == true)
        tty.type("perhaps")
        #expect(tty.read(until: "answer y or n") != nil)
        tty.type("y")
        #expect(tty.read(until: "tone (string, required, one of: formal, casual): ") != nil)
        tty.type("shouty")
        #expect(tty.read(until: "must be one of formal, casual, not 'shouty'") != nil)
        tty.type("casual")
        #expect(tty.read(until: "count (integer): how many paragraphs: ") != nil)
        tty.type("two")
        #expect(tty.read(until: "field 'count' takes an integer, not 'two'") != nil)
        tty.type("2")
        // The second pause is asked for on the same stream.
        #expect(tty.read(until: "⏸ step 'publish' waits for confirmation: Publish it?") != nil)
        let second = tty.read(until: "Approve? [y/n] ")
        #expect(second?.contains("run tty-1 PAUSED") == true && second?.contains("if rejected: the run is cancelled") == true)
        tty.type("y")
        let end = tty.finish()
        #expect(end.status == 0, "\(end.terminal)")
        #expect(end.stdout == "TUNE!\nPUBLISH!\n")
        #expect(end.terminal.contains("▶ step 'tune' approved by ") && end.terminal.contains("(tone=casual, count=2)"))
        #expect(end.terminal.contains("▶ step 'publish' approved by ") && end.terminal.contains("run tty-1 COMPLETED"))
        #expect(Self.userMessage(h, "tune")?.hasSuffix("- tone: casual\n- count: 2") == true)
    }

    @Test func atATerminalNoInputDoesNotAskAndEndOfInputLeavesTheRunPaused() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let env = ["AGNOD_SOCKET": h.daemon.socket]
        let quiet = try PseudoTerminal(Binaries.agnoctl, ["run", "--no-input", "--run-id", "tty-q", "publish", "x"], environment: env)
        let q = quiet.finish()
        #expect(q.status == 3)
        #expect(!q.terminal.contains("Approve?") && q.terminal.contains("answer with: agnoctl continue tty-q --approve"))
        // At the prompt, end of input (Ctrl-D) leaves the run PAUSED and says how to answer.
        let attach = try PseudoTerminal(Binaries.agnoctl, ["attach", "tty-q"], environment: env)
        #expect(attach.read(until: "Approve? [y/n] ") != nil)
        attach.type("\u{4}")
        let a = attach.finish()
        #expect(a.status == 3, "\(a.terminal)")
        #expect(a.terminal.contains("answer with: agnoctl continue tty-q --approve"))
        let still = try RunSummary(json: h.connect().resultOf(.status(StatusRequest(runID: "tty-q"))))
        #expect(still?.status == .paused)
    }

    /// Ctrl-C at the prompt cancels the run, as it does while `run` streams, and agnoctl exits at once
    /// (no stream is read then that would show the end; it waited for a line before).
    @Test func atATerminalCtrlCAtThePromptCancelsTheRunAndExits() async throws {
        let h = try await Self.harness()
        defer { h.shutdownNow() }
        let tty = try PseudoTerminal(
            Binaries.agnoctl, ["run", "--run-id", "tty-c", "publish", "x"], environment: ["AGNOD_SOCKET": h.daemon.socket])
        #expect(tty.read(until: "Approve? [y/n] ") != nil)
        kill(tty.process.processIdentifier, SIGINT)
        let end = tty.finish(within: 15)
        #expect(end.status == 130, "\(end.terminal)")
        #expect(end.terminal.contains("run tty-c CANCELLED"))
        let summary = try RunSummary(json: h.connect().resultOf(.status(StatusRequest(runID: "tty-c"))))
        #expect(summary?.status == .cancelled)
    }

    /// `continue --follow` puts the run in the foreground like `run`: Ctrl-C cancels it.
    @Test func ctrlCDuringContinueFollowCancelsTheRun() async throws {
        let slow = """
            name: slowpub
            agents:
              w: {model: "slow:x", instructions: "write"}
            steps:
              - name: write
                agent: w
                human_review: {requires_confirmation: true}
            """
        let h = try await Harness(models: ["slow": .slow("w", ms: 10, count: 3000)], workflows: ["slowpub.yaml": slow])
        defer { h.shutdownNow() }
        #expect(try h.daemon.agnoctl(["run", "--run-id", "f-1", "slowpub", "x"]).status == 3)
        let follow = Process()
        follow.executableURL = Binaries.agnoctl
        follow.arguments = ["continue", "f-1", "--approve", "--follow"]
        follow.environment = ProcessInfo.processInfo.environment.merging(["AGNOD_SOCKET": h.daemon.socket]) { _, new in new }
        let out = Pipe()
        follow.standardOutput = out
        follow.standardError = FileHandle.nullDevice
        try follow.run()
        // The first word of the answer arrives: the run is RUNNING again and followed.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("w") {
            let more = out.fileHandleForReading.availableData
            if more.isEmpty { break }
            seen += more
        }
        kill(follow.processIdentifier, SIGINT)
        follow.waitUntilExit()
        #expect(follow.terminationStatus == 130)
        let summary = try RunSummary(json: h.connect().resultOf(.status(StatusRequest(runID: "f-1"))))
        #expect(summary?.status == .cancelled, "\(summary?.status.rawValue ?? "?")")
    }
}
