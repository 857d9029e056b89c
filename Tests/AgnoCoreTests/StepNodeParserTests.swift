import Testing

@testable import AgnoCore

/// Workflow files v2: the tree of nodes, and every way a file can be wrong, reported with its line.
@Suite struct StepNodeParserTests {
    let parser = WorkflowParser(knownTools: ["calculator"])
    static let head = "name: t\nagents:\n  a: {model: default}\n  b: {model: default}\nsteps:\n"

    func parse(_ steps: String) throws(ConfigError) -> WorkflowDefinition {
        try parser.parse(text: Self.head + steps, file: "/w/t.yaml")
    }

    func error(_ steps: String) -> ConfigError? {
        do {
            _ = try parse(steps)
            return nil
        } catch {
            return error
        }
    }

    @Test func nestedNodesGetPreOrderIndicesAndPaths() throws {
        let wf = try parse(
            """
              - {name: one, agent: a}
              - type: Parallel
                name: par
                steps:
                  - {name: left, agent: a}
                  - type: Loop
                    name: again
                    max_iterations: 2
                    steps: [{name: inner, agent: b}]
              - type: Router
                name: pick
                selector: 'input.startsWith("x") ? "x1" : "y1"'
                choices:
                  - {name: x1, agent: a}
                  - type: Steps
                    name: y1
                    steps: [{name: y2, agent: b, input: "{{steps.one.content}} and {{additional_data.k}}"}]
              - type: Condition
                name: cond
                evaluator: true
                steps: [{name: yes, agent: a}]
                else_steps: [{name: no, agent: b, max_retries: 2, timeout: 90s, on_error: skip}]
            """)
        #expect(
            wf.nodes.map(\.path) == [
                "one", "par", "par/left", "par/again", "par/again/inner", "pick", "pick/x1", "pick/y1", "pick/y1/y2",
                "cond", "cond/yes", "cond/no",
            ])
        #expect(wf.nodes.map(\.index) == Array(0..<12))
        #expect(
            wf.nodes.map(\.typeName) == [
                "Step", "Parallel", "Step", "Loop", "Step", "Router", "Step", "Steps", "Step", "Condition", "Step", "Step",
            ])
        #expect(wf.stepNames == ["one", "par", "pick", "cond"])
        let no = wf.nodes[11]
        #expect(no.options == NodeOptions(maxRetries: 2, timeout: 90, onError: .skip))
        #expect(wf.nodes[5].line == 15)
    }

    @Test func version1FilesKeepTheirShape() throws {
        let wf = try parse("  - {agent: a}\n  - {name: second, agent: b, description: d}\n")
        #expect(wf.nodes.map(\.path) == ["a", "second"])
        #expect(wf.nodes[1].description == "d")
    }

    @Test func anUnknownTypeIsRefusedWithItsLine() {
        let e = error("  - {name: one, agent: a}\n  - type: Paralel\n    name: p\n    steps: [{agent: b}]\n")
        #expect(e?.line == 7)
        #expect(e?.reason.contains("unknown step type 'Paralel'") == true)
    }

    @Test func anUnknownKeyIsRefusedWithItsLineAndASuggestion() {
        let e = error("  - name: one\n    agent: a\n    on_eror: skip\n")
        #expect(e?.line == 8)
        #expect(e?.reason.contains("unknown key 'on_eror'") == true && e?.reason.contains("did you mean 'on_error'") == true)
        // A key of another node type is unknown here too.
        #expect(error("  - {name: one, agent: a, max_iterations: 3}\n")?.reason.contains("unknown key 'max_iterations'") == true)
        // And at the top of the file, and in an agent.
        do {
            _ = try parser.parse(text: "name: t\nagnets: {}\n", file: "/w/t.yaml")
            Issue.record("a misspelt top-level key was accepted")
        } catch {
            #expect(error.line == 2 && error.reason.contains("did you mean 'agents'") == true)
        }
        let agent = (try? parser.parse(text: "name: t\nagents:\n  a: {modle: x}\nsteps: [{agent: a}]\n", file: "/w/t.yaml")) == nil
        #expect(agent)
    }

    @Test func aDuplicateNameAnywhereInTheTreeIsRefused() {
        let e = error("  - {name: one, agent: a}\n  - type: Steps\n    name: g\n    steps:\n      - {name: one, agent: b}\n")
        #expect(e?.line == 10)
        #expect(e?.reason.contains("'one' is used twice (first on line 6)") == true)
    }

    @Test func aRouterChoiceThatDoesNotExistIsRefused() {
        let e = error(
            "  - type: Router\n    name: r\n    selector: 'input == \"a\" ? \"x\" : \"ghost\"'\n    choices: [{name: x, agent: a}]\n")
        #expect(e?.line == 8)
        #expect(e?.reason.contains("'ghost'") == true)
    }

    @Test func celThatDoesNotCompileOrReadsAnUnknownVariableIsRefused() {
        let bad = error("  - type: Condition\n    name: c\n    evaluator: 'input.contains(\"x\"'\n    steps: [{agent: a}]\n")
        #expect(bad?.line == 8)
        #expect(bad?.reason.contains("not valid CEL") == true)
        let unknown = error("  - type: Condition\n    name: c\n    evaluator: 'inptu == \"x\"'\n    steps: [{agent: a}]\n")
        #expect(unknown?.line == 8)
        #expect(unknown?.reason.contains("inptu") == true)
        // A loop's end condition sees the loop's variables, not the condition's.
        let wrong = error(
            "  - type: Loop\n    name: l\n    max_iterations: 2\n    end_condition: 'previous_step_content == \"x\"'\n    steps: [{agent: a}]\n"
        )
        #expect(wrong?.line == 9 && wrong?.reason.contains("previous_step_content") == true)
    }

    @Test func aLoopWithoutMaxIterationsIsRefused() {
        let e = error("  - type: Loop\n    name: l\n    steps: [{agent: a}]\n")
        #expect(e?.line == 6)
        #expect(e?.reason.contains("'max_iterations'") == true)
    }

    @Test func templatesMustNameStepsThatExistAndKnownPlaceholders() {
        #expect(error("  - {name: one, agent: a, input: '{{steps.nope.content}}'}\n")?.reason.contains("no step 'nope'") == true)
        #expect(error("  - {name: one, agent: a, input: '{{inptu}}'}\n")?.reason.contains("unknown placeholder") == true)
        #expect(error("  - {name: one, agent: a, input: '{{input'}\n")?.reason.contains("closing") == true)
    }

    @Test func compoundNodesNeedNamesAndChildren() {
        #expect(error("  - type: Steps\n    steps: [{agent: a}]\n")?.reason.contains("needs a 'name'") == true)
        #expect(error("  - type: Parallel\n    name: p\n    steps: []\n")?.reason.contains("empty") == true)
        #expect(error("  - type: Parallel\n    name: p/q\n    steps: [{agent: a}]\n")?.reason.contains("must not") == true)
    }
}

@Suite struct InputTemplateTests {
    @Test func placeholdersAreReplacedAndMissingOnesAreEmpty() throws {
        let t = try InputTemplate(
            "Q: {{input}} / {{ previous_step_content }} / {{steps.a.content}} / {{additional_data.k}} / {{steps.z.content}}.")
        let text = t.render(input: "in", previous: "prev", outputs: ["a": "A"], additionalData: ["k": "K"])
        #expect(text == "Q: in / prev / A / K / .")
        #expect(t.stepNames == ["a", "z"])
    }
}
