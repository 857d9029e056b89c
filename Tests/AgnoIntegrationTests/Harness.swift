import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation

/// Scripted model servers plus a real agnod configured to use them, one provider per server.
final class Harness: @unchecked Sendable {
    let models: [String: ScriptedModelServer]
    let daemon: TestDaemon

    init(
        models: [String: ScriptedModelServer], workflows: [String: String], defaultModel: String? = nil, limits: [String: Int] = [:],
        extraProviders: [String: String] = [:], extra: [(String, JSONValue)] = [], environment: [String: String] = [:],
        providerSettings: [String: [(String, JSONValue)]] = [:]
    ) async throws {
        self.models = models
        for server in models.values { try await server.start() }
        var providers = models.mapValues(\.baseURL)
        providers.merge(extraProviders) { a, _ in a }
        daemon = try TestDaemon(
            providers: providers, defaultModel: defaultModel, workflows: workflows, limits: limits, extra: extra,
            providerSettings: providerSettings)
        try daemon.start(environment: environment)
    }

    func connect() throws -> AgnoConnection { try daemon.connect() }

    /// Stops agnod (SIGTERM, waiting for its exit) and closes the model servers; safe in a `defer`.
    func shutdownNow() {
        daemon.stop()
        for server in models.values { server.close() }
    }
}

extension ScriptedModelServer {
    /// A fast model: `count` chunks of `word `.
    static func fast(_ word: String = "dragon", count: Int = 30) -> ScriptedModelServer { ScriptedModelServer(.words(word, count: count)) }
    /// A model that streams a chunk every `ms` milliseconds, long enough to be cancelled.
    static func slow(_ word: String = "dragon", ms: Int = 10, count: Int = 3000) -> ScriptedModelServer {
        ScriptedModelServer(.words(word, count: count, delay: .milliseconds(ms)))
    }
    /// A model that sends a few chunks and then nothing.
    static func stalling() -> ScriptedModelServer { ScriptedModelServer(.stall(after: ["Once ", "upon ", "a "])) }
}
