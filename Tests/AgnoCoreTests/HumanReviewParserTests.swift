import AgnoProtocol
import Testing

@testable import AgnoCore

/// `human_review:` on nodes: what is read, and every way it can be wrong, reported with its line.
@Suite struct HumanReviewParserTests {
    let parser = WorkflowParser(knownTools: [])
    static let head = "name: t\nagents:\n  a: {model: default}\nsteps:\n"

    func parse(_ steps: String, top: String = "") throws(ConfigError) -> WorkflowDefinition {
        try parser.parse(text: Self.head + steps + top, file: "/w/t.yaml")
    }

    func error(_ steps: String, top: String = "") -> ConfigError? {
        do {
            _ = try parse(steps, top: top)
            return nil
        } catch {
            return error
        }
    }

    @Test func aReviewIsReadWithItsDefaults() throws {
        let wf = try parse(
            """
              - name: one
                agent: a
                human_review:
                  requires_confirmation: true
                  confirmation_message: "Go?"
                  timeout: 24h
                  on_timeout: skip
              - type: Loop
                name: rounds
                max_iterations: 2
                human_review: {requires_user_input: true, user_input_schema: [{name: n, type: integer, required: true}]}
                steps: [{name: two, agent: a}]
              - type: Router
                name: pick
                selector: '"x"'
                human_review: {requires_user_input: true}
                choices: [{name: x, agent: a}, {name: y, agent: a}]
            """)
        let one = try #require(wf.nodes[0].options.humanReview)
        #expect(one.requiresConfirmation && one.confirmationMessage == "Go?")
        #expect(one.timeout == 86_400 && one.onTimeout == .skip)
        #expect(one.onReject == .cancel)  // agno's default for a Step
        let loop = try #require(wf.nodes[1].options.humanReview)
        #expect(loop.onReject == .skip)  // and for a construct
        #expect(loop.userInputSchema == [InputField(name: "n", type: .integer, required: true)])
        // A Router that asks for input asks which choice to take.
        let router = try #require(wf.nodes[3].options.humanReview)
        #expect(router.userInputSchema.first?.name == "route" && router.userInputSchema.first?.choices == ["x", "y"])
        #expect(wf.onRestart == .resume)
        #expect(try parse("  - {name: one, agent: a}\n", top: "on_restart: error\n").onRestart == .error)
    }

    @Test func everyMistakeIsRefusedWithItsLine() {
        let cases: [(String, Int, String)] = [
            ("  - name: one\n    agent: a\n    human_review: {requires_confirmaton: true}\n", 7, "unknown key 'requires_confirmaton'"),
            (
                "  - name: one\n    agent: a\n    human_review: {requires_confirmation: true, on_reject: later}\n", 7,
                "must be skip, cancel or retry"
            ),
            (
                "  - name: one\n    agent: a\n    human_review: {requires_confirmation: true, on_reject: retry}\n", 7,
                "needs 'requires_output_review: true'"
            ),
            ("  - name: one\n    agent: a\n    human_review: {confirmation_message: hi}\n", 7, "asks for nothing"),
            (
                "  - name: one\n    agent: a\n    human_review:\n      requires_user_input: true\n      user_input_schema: [{name: x, type: date}]\n",
                9, "must be one of string, integer, number, boolean"
            ),
            (
                "  - name: one\n    agent: a\n    human_review:\n      requires_user_input: true\n      user_input_schema: [{name: x}, {name: x}]\n",
                9, "listed twice"
            ),
            (
                "  - name: one\n    agent: a\n    human_review:\n      requires_user_input: true\n      user_input_schema: [{name: x, required: true}]\n      timeout: 1h\n      on_timeout: approve\n",
                11, "cannot give the required input field 'x'"
            ),
            ("  - name: one\n    agent: a\n    human_review: {requires_confirmation: true, on_timeout: skip}\n", 7, "needs a 'timeout'"),
            (
                "  - name: one\n    agent: a\n    human_review: {user_input_schema: [{name: x}], requires_confirmation: true}\n", 7,
                "not 'requires_user_input: true'"
            ),
            (
                "  - type: Loop\n    name: l\n    max_iterations: 2\n    human_review: {requires_output_review: true}\n    steps: [{name: s, agent: a}]\n",
                8, "a Loop cannot have 'requires_output_review'"
            ),
        ]
        for (steps, line, needle) in cases {
            let e = error(steps)
            #expect(e?.reason.contains(needle) == true, "\(needle): \(e?.description ?? "accepted")")
            #expect(e?.line == line, "\(needle): line \(e?.line ?? 0)")
            #expect(e?.file == "/w/t.yaml")
        }
        #expect(error("  - {name: one, agent: a}\n", top: "on_restart: later\n")?.reason.contains("'resume' or 'error'") == true)
    }

    @Test func inputFieldsAreCheckedByNameTypeAndChoice() {
        let schema = [
            InputField(name: "tone", type: .string, required: true, choices: ["formal", "casual"]),
            InputField(name: "n", type: .integer), InputField(name: "x", type: .number), InputField(name: "ok", type: .boolean),
        ]
        func message(_ input: JSONValue?) -> String? {
            do {
                try InputField.validate(input, against: schema)
                return nil
            } catch { return error.message }
        }
        #expect(message(.object([("tone", .string("formal")), ("n", .int(2)), ("x", .int(3)), ("ok", .bool(true))])) == nil)
        #expect(message(.object([("tone", .string("casual")), ("n", .double(2)), ("x", .double(0.5))])) == nil)
        #expect(message(nil)?.contains("'input.tone' is required") == true)
        #expect(message(.object([("tone", .string("loud"))]))?.contains("must be one of formal, casual") == true)
        #expect(
            message(.object([("tone", .string("formal")), ("n", .double(2.5))]))?.contains("'input.n' must be an integer, not a number")
                == true)
        #expect(message(.object([("tone", .string("formal")), ("ok", .string("yes"))]))?.contains("'input.ok' must be a boolean") == true)
        #expect(message(.object([("tone", .string("formal")), ("z", .int(1))]))?.contains("'input.z' is not a field") == true)
        #expect(message(.object([("tone", .string("formal")), ("n", .null)])) == nil)
    }
}
