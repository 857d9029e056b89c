import AsyncHTTPClient
import NIOCore

/// Finds the `ChatModel` for a workflow's model string, one HTTP client per provider (its own timeouts and a
/// connection pool large enough that concurrent runs on one host do not queue behind each other).
public final class ModelResolver: Sendable {
    public let providers: [String: ProviderConfig]
    public let defaultModel: String?
    private let clients: [String: HTTPClient]

    public init(providers: [ProviderConfig], defaultModel: String?, maxConnectionsPerHost: Int = 4096) {
        self.providers = Dictionary(providers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.defaultModel = defaultModel
        var clients: [String: HTTPClient] = [:]
        for provider in providers {
            var config = HTTPClient.Configuration()
            config.timeout = .init(connect: .milliseconds(Int64(provider.connectTimeout * 1000)), read: .milliseconds(Int64(provider.readTimeout * 1000)))
            config.connectionPool = .init(idleTimeout: .seconds(60))
            config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxConnectionsPerHost
            config.decompression = .disabled
            clients[provider.name] = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        }
        self.clients = clients
    }

    /// `default` resolved to the configured default model.
    public func reference(for model: String) throws(ModelError) -> ModelRef {
        let name = model == "default" ? defaultModel : model
        guard let name else { throw ModelError(.notConfigured, "the workflow uses model 'default' but agnod's configuration has no default_model") }
        guard let ref = ModelRef(name) else { throw ModelError(.notConfigured, "model '\(name)' is not of the form provider:model") }
        guard providers[ref.provider] != nil else {
            throw ModelError(.notConfigured, "model '\(name)' names provider '\(ref.provider)', which is not configured (have: \(providers.keys.sorted().joined(separator: ", ")))")
        }
        return ref
    }

    public func model(for ref: ModelRef) throws(ModelError) -> any ChatModel {
        guard let provider = providers[ref.provider], let client = clients[ref.provider] else {
            throw ModelError(.notConfigured, "model provider '\(ref.provider)' is not configured")
        }
        return OpenAICompatibleModel(provider: provider, client: client)
    }

    public func shutdown() async {
        for client in clients.values { try? await client.shutdown() }
    }
}
