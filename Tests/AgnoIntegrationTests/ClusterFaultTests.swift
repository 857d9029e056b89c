import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// A shared PostgreSQL store that is not there: at start (agnod refuses to start and says where it looked),
/// and while runs stream (runs wait, `start` says unavailable, readers on every host carry on after it is back).
@Suite(.enabled(if: TestPostgres.isAvailable, "needs PostgreSQL 15 (apt-get install postgresql)"))
struct ClusterFaultTests {
    @Test func anUnreachableDatabaseAtStartIsNamedByHostAndPortInTheLogAndTheServiceStatus() throws {
        let port = try TestPostgres.freePort()  // nothing listens there
        let password = "pw-\(UUID().uuidString)"
        let daemon = try TestDaemon(
            providers: [:], workflows: [:],
            extra: [
                (
                    "store",
                    .object([
                        ("backend", "postgres"), ("url", .string("postgres://agnod@127.0.0.1:\(port)/runs")), ("password_env", "PW"),
                    ])
                )
            ])
        let notify = try NotifySocket(directory: daemon.directory)
        let result = try runProcess(
            Binaries.agnod, ["--config", daemon.configPath], environment: ["PW": password, "NOTIFY_SOCKET": notify.path])
        #expect(result.status == 73)
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:\(port)"), "\(result.stderr)")
        let status = notify.wait(timeout: 5) { $0.contains("STATUS=") }
        #expect(status?.contains("cannot start") == true)
        #expect(status?.contains("127.0.0.1:\(port)") == true)
        for text in [result.stderr, result.stdout, status ?? ""] { #expect(!text.contains(password)) }
    }

    /// The server stops while a run streams on host 0 to a reader there and one on host 1: `start` answers
    /// `unavailable` with `retry_after_ms` on both hosts; once the server is back, the run goes on, both readers
    /// get every event once, the same events, and the replay is what they saw.
    @Test func theDatabaseLostWhileARunStreamsLosesNothing() async throws {
        let server = try TestPostgres()  // its own server: this test stops it
        defer { server.destroy() }
        let h = try await ClusterHarness(
            hosts: 2, models: ["slow": .slow("w", ms: 10, count: 300)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")],
            server: server)
        defer { h.shutdownNow() }
        let a = try h.connect(0)
        let b = try h.connect(1)
        _ = try a.resultOf(.start(StartRequest(workflow: "s", input: "go", runID: "outage")))
        let onA = try a.send(.stream(StreamRequest(runID: "outage")))
        let onB = try b.send(.stream(StreamRequest(runID: "outage")))
        var local = StreamCapture()
        var remote = StreamCapture()
        try a.capture(onA, into: &local) { $0.events.count >= 20 }
        try b.capture(onB, into: &remote) { $0.events.count >= 20 }

        server.stop()
        for c in [a, b] {
            let asked = ContinuousClock.now
            let refused = try c.errorOf(.start(StartRequest(workflow: "s", input: "while down")))
            print("cluster-outage: start answered \(refused.code) in \(ContinuousClock.now - asked)")
            #expect(refused.code == .unavailable, "\(refused)")
            #expect((refused.retryAfterMs ?? 0) > 0)
        }
        try server.start()

        try a.capture(onA, into: &local)
        try b.capture(onB, into: &remote)
        print("cluster-outage: local \(String(describing: local.error)) remote \(String(describing: remote.error))")
        #expect(local.end?.status == .completed, "\(String(describing: local.error))")
        #expect(remote.end?.status == .completed, "\(String(describing: remote.error))")
        #expect(local.seqs == Array(1...local.events.count))
        #expect(remote.seqs == Array(1...remote.events.count))
        #expect(local.names.filter { $0 == "RunContent" }.count == 300)
        let encoded: (StreamCapture) -> [String] = { $0.events.map { $0.event.encodedString } }
        #expect(encoded(remote) == encoded(local))
        var replay = StreamCapture()
        try b.capture(try b.send(.stream(StreamRequest(runID: "outage"))), into: &replay)
        #expect(encoded(replay) == encoded(local))
        // And starts are accepted again.
        #expect(try b.resultOf(.start(StartRequest(workflow: "s", input: "after", runID: "after")))["run_id"]?.stringValue == "after")
    }
}
