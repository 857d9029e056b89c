import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Three agnod hosts sharing one PostgreSQL database form one service: a run started on one is seen,
/// streamed, cancelled and removed from the others; a host that dies has its runs ended by another.
@Suite(.enabled(if: TestPostgres.isAvailable, "needs PostgreSQL 15 (apt-get install postgresql)"))
struct MultiHostTests {
    static func contents(_ capture: StreamCapture) -> [String] {
        capture.events.map { $0.event.encodedString }
    }

    @Test func aRunStartedOnOneHostIsStreamedCancelledAndRemovedFromTheOthers() async throws {
        let h = try await ClusterHarness(
            models: ["slow": .slow("dragon", ms: 10)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")])
        defer { h.shutdownNow() }
        let a = try h.connect(0)
        let b = try h.connect(1)
        let c = try h.connect(2)
        let started = try a.resultOf(.start(StartRequest(workflow: "s", input: "go", runID: "cross-1")))
        #expect(started["run_id"]?.stringValue == "cross-1")

        // A reader on host 1 follows it from the start, one on host 2 from seq 5.
        let fromStart = try b.send(.stream(StreamRequest(runID: "cross-1")))
        let fromFive = try c.send(.stream(StreamRequest(runID: "cross-1", afterSeq: 5)))
        var onB = StreamCapture()
        try b.capture(fromStart, into: &onB) { $0.names.filter { $0 == "RunContent" }.count >= 20 }
        let status = try #require(RunSummary(json: try c.resultOf(.status(StatusRequest(runID: "cross-1")))))
        #expect(status.status == .running)
        let listed = try c.resultOf(.list(ListRequest()))["runs"]?.arrayValue?.compactMap { $0["run_id"]?.stringValue }
        #expect(listed == ["cross-1"])

        // Cancelled from host 2, where it does not run.
        let cancel = try c.resultOf(.cancel(CancelRequest(runID: "cross-1", reason: "from host 2")))
        #expect(cancel["cancelled"] == .bool(true))
        #expect(cancel["status"]?.stringValue == "RUNNING")
        try b.capture(fromStart, into: &onB)
        var onC = StreamCapture()
        try c.capture(fromFive, into: &onC)
        #expect(onB.end?.status == .cancelled)
        #expect(onB.names.suffix(2) == ["RunCancelled", "WorkflowCancelled"])
        #expect(onB.events.last?.event["reason"]?.stringValue == "from host 2")
        #expect(onB.seqs == Array(1...onB.events.count))  // no gap, no duplicate
        #expect(onC.seqs == Array(6...onB.events.count))
        #expect(Self.contents(onC) == Array(Self.contents(onB).dropFirst(5)))

        // The replay on the host that ran it is what the other host saw live.
        let replayID = try a.send(.stream(StreamRequest(runID: "cross-1")))
        var replay = StreamCapture()
        try a.capture(replayID, into: &replay)
        #expect(Self.contents(replay) == Self.contents(onB))
        #expect(try b.resultOf(.toolCalls(ToolCallsRequest(runID: "cross-1")))["tool_calls"]?.arrayValue?.isEmpty == true)

        // Removed from host 1: gone everywhere.
        _ = try b.resultOf(.remove(RemoveRequest(runID: "cross-1")))
        #expect(try a.errorOf(.status(StatusRequest(runID: "cross-1"))).code == .notFound)
        #expect(try c.errorOf(.status(StatusRequest(runID: "cross-1"))).code == .notFound)
        // The same run_id cannot be started twice, whichever host is asked.
        _ = try a.resultOf(.start(StartRequest(workflow: "s", input: "again", runID: "dup")))
        #expect(try b.errorOf(.start(StartRequest(workflow: "s", input: "again", runID: "dup"))).code == .conflict)
    }

    /// Half of the runs say `on_restart: error`: another host ends them ERROR "interrupted: host host-0
    /// stopped"; the other half resume on the host that took them and complete. Readers on the survivors see
    /// every run to its end with no gap or duplicate.
    @Test func aHostKilledWhile50RunsStreamHasThemEndedOrResumedByAnotherHost() async throws {
        let erroring = Fixtures.oneStep("e", model: "slow:m").replacingOccurrences(of: "name: e\n", with: "name: e\non_restart: error\n")
        let h = try await ClusterHarness(
            models: ["slow": .slow("dragon", ms: 20, count: 400), "long": .slow("tick", ms: 20, count: 100_000)],
            workflows: [
                "e.yaml": erroring, "r.yaml": Fixtures.oneStep("r", model: "slow:m"), "l.yaml": Fixtures.oneStep("l", model: "long:m"),
            ], lease: "2s",
            limits: ["active_runs": 100, "active_runs_per_user": 100])
        defer { h.shutdownNow() }
        let victim = try h.connect(0)
        let ids = (0..<50).map { "doomed-\($0)" }
        for (i, id) in ids.enumerated() {
            _ = try victim.resultOf(.start(StartRequest(workflow: i % 2 == 0 ? "e" : "r", input: "go", runID: id)))
        }
        // A survivor's own run must not be touched.
        let own = try h.connect(1)
        _ = try own.resultOf(.start(StartRequest(workflow: "l", input: "go", runID: "survivor")))

        // 50 readers on hosts 1 and 2 each read a few events; then host 0 is killed.
        let streaming = DispatchSemaphore(value: 0)
        let killed = DispatchSemaphore(value: 0)
        let hosts = h.hosts
        async let results = onThreads(50) { i -> StreamCapture in
            let connection = try hosts[1 + i % 2].connect()
            let id = try connection.send(.stream(StreamRequest(runID: ids[i])))
            var capture = StreamCapture()
            var signalled = false
            defer { if !signalled { streaming.signal() } }  // a failure must not hold up the others
            try connection.capture(id, into: &capture) { $0.events.count >= 3 }
            signalled = true
            streaming.signal()
            killed.wait()
            killed.signal()
            try connection.capture(id, into: &capture)
            return capture
        }
        await onThreads(1) { _ in for _ in 0..<50 { streaming.wait() } }.forEach { _ in }
        let killedAt = ContinuousClock.now
        h.hosts[0].kill()
        killed.signal()
        var ended = 0
        for (i, result) in await results.enumerated() {
            let capture = try result.get()
            #expect(capture.seqs == Array(1...capture.events.count), "\(ids[i]): a gap or a duplicate")
            if i % 2 == 0 {
                #expect(capture.end?.status == .error, "\(ids[i])")
                #expect(capture.end?.error == "interrupted: host host-0 stopped", "\(ids[i])")
                #expect(capture.events.last?.event["event"]?.stringValue == "WorkflowError")
                #expect(capture.events.last?.event["interrupted"] == .bool(true))
            } else {
                #expect(capture.end?.status == .completed, "\(ids[i])")
                #expect(capture.events.last?.event["event"]?.stringValue == "WorkflowCompleted")
                #expect(capture.events.contains { $0.event["resumed"]?.boolValue == true }, "\(ids[i]): not marked resumed")
            }
            if capture.end != nil { ended += 1 }
        }
        #expect(ended == 50)
        let waited = ContinuousClock.now - killedAt
        #expect(waited < .seconds(60))  // lease 2 s, then 3 s of model: a bound far above it, not a timing claim
        // Every one is ended from every surviving host, and the takers logged it.
        for (i, id) in ids.enumerated() {
            let status = RunSummary(json: try own.resultOf(.status(StatusRequest(runID: id))))?.status
            #expect(status == (i % 2 == 0 ? .error : .completed), "\(id)")
        }
        let takers = h.hosts[1...].filter { $0.logText.contains("host's lease expired; its runs were taken over here") }
        #expect(takers.count >= 1)
        #expect(h.hosts[1...].contains { $0.logText.contains("run resumed after a restart") })
        let survivor = try #require(RunSummary(json: try own.resultOf(.status(StatusRequest(runID: "survivor")))))
        #expect(survivor.status == .running)
        _ = try own.resultOf(.cancel(CancelRequest(runID: "survivor")))
    }

    /// `active_runs_per_user: 2` holds over all hosts: a user's 9 runs, 3 started on each host, never run more
    /// than 2 at a time (from the stored start and end of each), and a run waiting on one host starts when a
    /// run ends on another.
    @Test func aUsersActiveRunLimitHoldsAcrossHosts() async throws {
        let h = try await ClusterHarness(
            models: ["slow": .slow("w", ms: 5, count: 40)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")],
            limits: ["active_runs_per_user": 2])
        defer { h.shutdownNow() }
        let ids = (0..<9).map { "limited-\($0)" }
        let connections = try (0..<3).map { try h.connect($0) }
        for (i, id) in ids.enumerated() {
            _ = try connections[i % 3].resultOf(.start(StartRequest(workflow: "s", input: "go", runID: id)))
        }
        let hosts = h.hosts
        let ends = await onThreads(9) { i -> RunStatus? in
            let connection = try hosts[(i + 1) % 3].connect()  // read from a host other than the one that runs it
            let id = try connection.send(.stream(StreamRequest(runID: ids[i])))
            var capture = StreamCapture()
            try connection.capture(id, into: &capture)
            return capture.end?.status
        }
        #expect(try ends.map { try $0.get() } == Array(repeating: .completed, count: 9))
        let runs = try ids.map { id in try #require(RunSummary(json: try connections[0].resultOf(.status(StatusRequest(runID: id))))) }
        // The most runs executing at one moment: ends sort before starts at the same instant.
        var moments: [(Date, Int)] = []
        for run in runs {
            moments.append((try #require(run.startedAt), 1))
            moments.append((try #require(run.finishedAt), -1))
        }
        moments.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var running = 0
        var most = 0
        for (_, change) in moments {
            running += change
            most = max(most, running)
        }
        #expect(most == 2)
    }

    /// A paused run is continued from a host other than the one it paused on, by two hosts at once: one
    /// answer wins, the other is refused with conflict, and the run completes once.
    @Test func aPausedRunIsContinuedFromAnotherHostOnce() async throws {
        let confirm = """
            name: confirm
            agents:
              draft: {model: "slow:m", instructions: "draft"}
            steps:
              - {name: draft, agent: draft}
              - name: publish
                agent: draft
                human_review: {requires_confirmation: true, confirmation_message: "Publish it?"}
            """
        let h = try await ClusterHarness(models: ["slow": .slow("w", ms: 1, count: 5)], workflows: ["confirm.yaml": confirm])
        defer { h.shutdownNow() }
        let a = try h.connect(0)
        let (_, rid) = try a.startStreaming("confirm", input: "topic", runID: "paused-1")
        var paused = StreamCapture()
        try a.capture(rid, into: &paused)
        #expect(paused.end?.status == .paused)

        let hosts = h.hosts
        let answers = await onThreads(2) { i -> (StreamCapture?, ProtocolError?) in
            let connection = try hosts[1 + i].connect()
            let id = try connection.send(.continue(ContinueRequest(runID: "paused-1", decision: .approve, stream: true)))
            var capture = StreamCapture()
            try connection.capture(id, into: &capture)
            return capture.error.map { (nil, $0) } ?? (capture, nil)
        }
        let results = try answers.map { try $0.get() }
        let won = results.compactMap(\.0)
        let refused = results.compactMap(\.1)
        #expect(won.count == 1)
        #expect(refused.map(\.code) == [.conflict])
        #expect(won.first?.end?.status == .completed)
        let final = try #require(RunSummary(json: try a.resultOf(.status(StatusRequest(runID: "paused-1")))))
        #expect(final.status == .completed)
        #expect(final.reviews.count == 1)
        // Every event once, in order, whichever host is asked.
        var replay = StreamCapture()
        try a.capture(try a.send(.stream(StreamRequest(runID: "paused-1"))), into: &replay)
        #expect(replay.seqs == Array(1...replay.events.count))
        #expect(replay.names.filter { $0 == "WorkflowCompleted" }.count == 1)
    }
}
