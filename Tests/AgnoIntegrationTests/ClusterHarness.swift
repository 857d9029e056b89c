import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Several real agnod processes (hosts `host-0`, `host-1`, …, each on its own socket) sharing one database of
/// a real PostgreSQL, and the scripted model servers they all use.
final class ClusterHarness: @unchecked Sendable {
    let server: TestPostgres
    let database: String
    let models: [String: ScriptedModelServer]
    let hosts: [TestDaemon]
    static let passwordVariable = "AGNOD_TEST_STORE_PASSWORD"

    init(
        hosts count: Int = 3, models: [String: ScriptedModelServer], workflows: [String: String], lease: String = "2s",
        limits: [String: Int] = [:], server: TestPostgres? = nil
    ) async throws {
        self.server = try server ?? TestPostgres.shared()
        database = try self.server.createDatabase("cluster")
        self.models = models
        for model in models.values { try await model.start() }
        var hosts: [TestDaemon] = []
        for i in 0..<count {
            let store: JSONValue = .object([
                ("backend", "postgres"), ("url", .string(self.server.url(database))), ("password_env", .string(Self.passwordVariable)),
                ("host_id", .string("host-\(i)")), ("lease", .string(lease)),
            ])
            hosts.append(
                try TestDaemon(providers: models.mapValues(\.baseURL), workflows: workflows, limits: limits, extra: [("store", store)]))
        }
        self.hosts = hosts
        for host in hosts { try start(host) }
    }

    func start(_ host: TestDaemon) throws {
        try host.start(environment: [Self.passwordVariable: server.password])
    }

    func connect(_ host: Int) throws -> AgnoConnection { try hosts[host].connect() }

    /// Stops every host; one that does not exit within a minute is killed and recorded as a failure (a hang at
    /// stop must fail the test, not hold up the suite).
    func shutdownNow() {
        for (i, host) in hosts.enumerated() where host.pid != nil {
            if host.stop(within: 60) == nil { Issue.record("host-\(i) did not stop within 60 s of SIGTERM") }
        }
        for model in models.values { model.close() }
    }
}

/// Runs blocking client work on threads of its own (many streams at once would hold up the few threads of
/// Swift's cooperative pool) and awaits them all.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) throws -> T) async -> [Result<T, any Error>] {
    await withCheckedContinuation { continuation in
        let results = ResultBox<T>(count)
        let group = DispatchGroup()
        for i in 0..<count {
            group.enter()
            Thread {
                results.set(i, Result { try body(i) })
                group.leave()
            }.start()
        }
        group.notify(queue: .global()) { continuation.resume(returning: results.all) }
    }
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Result<T, any Error>?]
    init(_ count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, any Error>) { lock.withLock { values[i] = value } }
    var all: [Result<T, any Error>] { lock.withLock { values.map { $0! } } }
}
