import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@testable import AgnoCore

/// The executor and run table in-process, against the scripted model server.
@Suite struct RunTableTests {
    let alice = Caller(uid: 1001, user: "alice", isAdmin: false)
    let bob = Caller(uid: 1002, user: "bob", isAdmin: false)
    let admin = Caller(uid: 0, user: "root", isAdmin: true)

    /// A table whose runs use `server`; call `models.shutdown()` at the end (async-http-client insists).
    func table(_ server: ScriptedModelServer, limits: RunLimits = RunLimits()) -> (RunTable, WorkflowDefinition, ModelResolver) {
        let table = RunTable(writer: StoreWriter(store: MemoryRunStore()), limits: limits)
        let models = ModelResolver(providers: [ProviderConfig(name: "m", baseURL: server.baseURL)], defaultModel: "m:x")
        table.setExecutor { record in await WorkflowRunner(environment: ExecutionEnvironment(models: models, tools: .builtIn)).run(record) }
        let wf = WorkflowDefinition(
            name: "w", agents: ["a": AgentDefinition(key: "a", name: "A")],
            steps: [.agent(AgentStep(agent: "a"), name: "one"), .agent(AgentStep(agent: "a"), name: "two")])
        return (table, wf, models)
    }

    /// Reads a run's events until its end, the way the daemon's stream op does.
    func drain(_ record: RunRecord) async -> ([EncodedEvent], RunSummary) {
        var events: [EncodedEvent] = []
        while true {
            switch await record.read(afterSeq: events.last?.seq ?? 0, limit: 100, bufferSize: 8) {
            case .events(let batch): events += batch.events
            case .live(let subscription): while let batch = await subscription.next() { events += batch }
            case .ended(let summary): return (events, summary)
            case .failed, .unreadable: return (events, record.summary)
            }
        }
    }

    @Test func aRunCompletesAndItsEventsAreStoredGaplessInOrder() async throws {
        let server = ScriptedModelServer(.words("hi", count: 50))
        try await server.start()
        let (table, wf, models) = table(server)
        let record = try await table.start(workflow: wf, input: "go", runID: nil, sessionID: nil, caller: alice)
        let (events, summary) = await drain(record)
        #expect(summary.status == .completed)
        #expect(events.map(\.seq) == Array(1...events.count))
        let stored = try await table.store.events(runID: record.runID, afterSeq: 0, limit: 10_000)
        #expect(stored == events)
        await models.shutdown()
        await server.stop()
    }

    @Test func aReaderWithATinyBufferStillGetsEveryEventOnce() async throws {
        let server = ScriptedModelServer(.words("x", count: 3000))
        try await server.start()
        let (table, wf, models) = table(server)
        let record = try await table.start(workflow: wf, input: "go", runID: nil, sessionID: nil, caller: alice)
        let (events, _) = await drain(record)
        #expect(events.map(\.seq) == Array(1...events.count))
        let names = events.map { (try? JSONValue.parse($0.json))?["event"]?.stringValue ?? "?" }
        let expected = 1 + 2 * (3000 + 4) + 1
        #expect(events.count == expected, "\(Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +))")
        await models.shutdown()
        await server.stop()
    }

    @Test func othersCannotSeeOrCancelARunButAnAdminCan() async throws {
        let server = ScriptedModelServer(.stall(after: ["a"]))
        try await server.start()
        let (table, wf, models) = table(server)
        let record = try await table.start(workflow: wf, input: "secret", runID: "r1", sessionID: nil, caller: alice)
        await #expect(throws: ProtocolError.notFound("no run 'r1'")) { try await table.summary("r1", caller: bob) }
        await #expect(throws: ProtocolError.self) { try await table.cancel("r1", reason: nil, caller: bob) }
        #expect(try await table.list(caller: bob, allUsers: false, statuses: nil, limit: 10).isEmpty)
        await #expect(throws: ProtocolError.self) { try await table.list(caller: bob, allUsers: true, statuses: nil, limit: 10) }
        #expect(try await table.list(caller: admin, allUsers: true, statuses: nil, limit: 10).map(\.runID) == ["r1"])
        #expect(try await table.cancel("r1", reason: nil, caller: admin).cancelled)
        let (events, summary) = await drain(record)
        #expect(summary.status == .cancelled)
        // Who cancelled someone else's run is in the reason and in the run.
        #expect(events.last.map { String(decoding: $0.json, as: UTF8.self) }?.contains("cancelled by admin root") == true)
        #expect(summary.cancelledBy == "root")
        #expect(try await table.summary("r1", caller: alice).cancelledBy == "root")
        await models.shutdown()
        await server.stop()
    }

    @Test func queuedRunsStartInOrderAsSlotsFreeAndUsersTakeTurns() async throws {
        let server = ScriptedModelServer(.words("x", count: 3))
        try await server.start()
        let (table, wf, models) = table(server, limits: RunLimits(activeRuns: 1, activeRunsPerUser: 1, queuedRunsPerUser: 100))
        var records: [RunRecord] = []
        for i in 0..<4 {
            records.append(try await table.start(workflow: wf, input: "a\(i)", runID: "a\(i)", sessionID: nil, caller: alice))
        }
        records.append(try await table.start(workflow: wf, input: "b0", runID: "b0", sessionID: nil, caller: bob))
        for record in records { _ = await drain(record) }
        let started = records.map { ($0.runID, $0.summary.startedAt!) }.sorted { $0.1 < $1.1 }.map(\.0)
        #expect(started == ["a0", "b0", "a1", "a2", "a3"])
        #expect(table.activeCount == 0 && table.liveCount == 0)
        await models.shutdown()
        await server.stop()
    }
}
