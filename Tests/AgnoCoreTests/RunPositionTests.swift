import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@testable import AgnoCore

/// The run's position (what durable resume and pause read): every node that is done, stored with the event
/// that reports it, with its path through loop iterations and its output.
@Suite struct RunPositionTests {
    static let workflow = """
        name: pos
        agents:
          a: {model: "m:x", instructions: "a"}
        steps:
          - {name: first, agent: a}
          - type: Loop
            name: again
            max_iterations: 2
            steps:
              - type: Parallel
                name: both
                steps:
                  - {name: left, agent: a}
                  - {name: right, agent: a, on_error: skip, input: "fail"}
        """

    @Test func everyNodeThatIsDoneIsStoredWithTheEventThatReportsIt() async throws {
        // The model answers "out N"; the step whose input is "fail" gets an error.
        let server = ScriptedModelServer { body, index in
            let input = body["messages"]?.arrayValue?.last?["content"]?.stringValue
            return input == "fail" ? .httpError(status: 500, body: "no") : .text(["out \(index)"])
        }
        try await server.start()
        let store = MemoryRunStore()
        let table = RunTable(writer: StoreWriter(store: store), limits: RunLimits())
        let models = ModelResolver(providers: [ProviderConfig(name: "m", baseURL: server.baseURL)], defaultModel: "m:x")
        table.setExecutor { record in await WorkflowRunner(environment: ExecutionEnvironment(models: models, tools: .builtIn)).run(record) }
        let wf = try WorkflowParser(knownTools: []).parse(text: Self.workflow, file: "pos.yaml")
        let record = try await table.start(
            workflow: wf, input: "go", runID: "p1", sessionID: nil, caller: Caller(uid: 1, user: "u", isAdmin: false))
        await table.waitUntilIdle()
        #expect(record.status == .completed)
        let position = try await store.position(runID: "p1")
        #expect(
            position.map(\.path).sorted() == [
                "again", "again[1]/both", "again[1]/both/left", "again[1]/both/right", "again[2]/both", "again[2]/both/left",
                "again[2]/both/right", "first",
            ])
        // In the order they were done, each keyed by a stored event's seq; the skipped failure is not a success
        // and passes its input (the Parallel's, in the first iteration `first`'s output) on.
        #expect(position.map(\.seq) == position.map(\.seq).sorted())
        #expect(position.first?.path == "first" && position.last?.path == "again")
        let right = try #require(position.first { $0.path == "again[1]/both/right" })
        #expect(!right.succeeded && right.output == position.first { $0.path == "first" }?.output)
        let events = try await store.events(runID: "p1", afterSeq: 0, limit: 1000)
        for result in position where result.succeeded {
            let event = try #require(events.first { $0.seq == result.seq })
            let json = try JSONValue.parse(String(decoding: event.json, as: UTF8.self))
            #expect(json["step_path"]?.stringValue == result.path)
            #expect(json["content"]?.stringValue == result.output)
        }
        await models.shutdown()
        await server.stop()
    }
}
