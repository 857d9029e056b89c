import Foundation

/// agnod.yaml `tools.web_search`: the backend and its limits.
public struct WebSearchConfig: Sendable, Equatable {
    public var backend: WebSearchBackend = .duckduckgo
    /// Overrides the backend's address (a SearXNG instance, or a proxy).
    public var baseURL: String?
    /// Brave: the environment variable or systemd credential holding the subscription token.
    public var apiKeyEnv: String?
    public var apiKeyCredential: String?
    /// Seconds for the whole request (connect, send, read).
    public var timeout: Double = 10
    /// Results when the model does not ask for a number, and the most it may ask for.
    public var defaultResults = 5
    public var maxResults = 10
    /// The most bytes of a backend's answer read (a bigger answer is an error, not a memory spike).
    public var maxResponseBytes = 2 << 20
    /// Each snippet is cut to this many characters.
    public var maxSnippetCharacters = 400

    public init() {}

    /// The address queries go to, or nil when the backend needs one and none is configured.
    public var resolvedBaseURL: String? { baseURL ?? backend.defaultBaseURL }

    /// The API key, from the environment or the credentials directory (systemd `LoadCredential=`).
    public func apiKey() -> String? {
        ProviderConfig(name: "web_search", baseURL: "", apiKeyEnv: apiKeyEnv, apiKeyCredential: apiKeyCredential).apiKey()
    }
}
