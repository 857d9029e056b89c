import Testing

@testable import AgnoCore

@Suite struct WorkflowParserTests {
    let parser = WorkflowParser(knownTools: ["calculator", "datetime"])

    @Test func theSeedWorkflowLoads() throws {
        let wf = try parser.parse(
            text: """
                name: article
                description: Automated article creation from research to writing
                agents:
                  researcher:
                    name: Research Agent
                    model: default
                    tools: [calculator]
                    instructions: Research the given topic and provide key facts and insights.
                  writer:
                    name: Writing Agent
                    model: openai:gpt-4o-mini
                    instructions: Write a comprehensive article based on the research provided.
                steps:
                  - name: research
                    agent: researcher
                    description: Research the topic and gather information
                  - name: writing
                    agent: writer
                """, file: "article.yaml")
        #expect(wf.name == "article")
        #expect(wf.stepNames == ["research", "writing"])
        #expect(wf.agents["researcher"]?.tools == ["calculator"])
        #expect(wf.agents["writer"]?.model == "openai:gpt-4o-mini")
    }

    @Test func jsonLoadsToo() throws {
        let wf = try parser.parse(
            text: #"{"name":"j","agents":{"a":{"model":"x:y","instructions":"hi"}},"steps":[{"name":"s","agent":"a"}]}"#, file: "j.json")
        #expect(wf.stepNames == ["s"])
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parser.parse(text: text, file: "/w/bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func aStepNamingAMissingAgentIsReportedWithItsLine() {
        let e = error(
            """
            name: bad
            agents:
              a:
                model: default
            steps:
              - name: one
                agent: a
              - name: two
                agent: ghost
            """)
        #expect(e?.file == "/w/bad.yaml")
        #expect(e?.line == 9)  // the line of `agent: ghost`
        #expect(e?.reason.contains("ghost") == true)
    }

    @Test func anUnknownToolIsReportedWithItsLine() {
        let e = error("name: t\nagents:\n  a:\n    tools: [calculator, teleport]\nsteps:\n  - agent: a\n")
        #expect(e?.line == 4)
        #expect(e?.reason.contains("teleport") == true)
    }

    @Test func aYAMLSyntaxErrorHasItsLine() {
        let e = error("name: t\nagents:\n  a: [unclosed\nsteps: []\n")
        #expect(e?.line != nil)
        #expect(e?.reason.contains("invalid YAML") == true)
    }

    @Test func aBadModelStringIsRefused() {
        let e = error("name: t\nagents:\n  a:\n    model: gpt4\nsteps:\n  - agent: a\n")
        #expect(e?.line == 4 && e?.reason.contains("provider:model") == true)
    }

    @Test func unsafeNamesAndEmptyStepsAreRefused() {
        #expect(error("name: ../../etc/passwd\nagents: {a: {}}\nsteps: [{agent: a}]\n")?.reason.contains("workflow name") == true)
        #expect(error("name: t\nagents: {a: {}}\nsteps: []\n")?.reason.contains("empty") == true)
    }
}
