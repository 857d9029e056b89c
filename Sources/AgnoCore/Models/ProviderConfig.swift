import Foundation

/// An OpenAI-compatible model provider from the daemon's configuration. The key itself is never stored here:
/// only where to find it, read when a request is made.
public struct ProviderConfig: Sendable, Equatable {
    public var name: String
    /// e.g. `http://127.0.0.1:8181/v1`; requests go to `<base_url>/chat/completions`.
    public var baseURL: String
    /// The environment variable holding the API key.
    public var apiKeyEnv: String?
    /// The systemd credential (`$CREDENTIALS_DIRECTORY/<name>`) holding the API key.
    public var apiKeyCredential: String?
    public var connectTimeout: Double
    /// Longest silence allowed between two chunks of a streamed answer.
    public var readTimeout: Double
    /// What to tell a user when this provider cannot be reached.
    public var hint: String?
    /// Prices of this provider's models, by model name: a run's metrics get a `cost`.
    public var prices: [String: ModelPrice]
    /// Whether requests ask for the usage (`stream_options.include_usage`); false for a server that refuses it.
    public var streamUsage = true

    public init(
        name: String, baseURL: String, apiKeyEnv: String? = nil, apiKeyCredential: String? = nil,
        connectTimeout: Double = 10, readTimeout: Double = 300, hint: String? = nil, prices: [String: ModelPrice] = [:]
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKeyEnv = apiKeyEnv
        self.apiKeyCredential = apiKeyCredential
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.hint = hint
        self.prices = prices
    }

    public var chatCompletionsURL: String {
        baseURL.hasSuffix("/") ? baseURL + "chat/completions" : baseURL + "/chat/completions"
    }

    /// The API key, read from the environment or the credential file; nil when none is configured.
    public func apiKey() -> String? {
        if let env = apiKeyEnv, let value = ProcessInfo.processInfo.environment[env], !value.isEmpty {
            return value
        }
        if let credential = apiKeyCredential, let dir = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"],
            let data = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(credential)),
            let value = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty
        {
            return value
        }
        return nil
    }
}
