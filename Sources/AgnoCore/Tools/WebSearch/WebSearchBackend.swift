/// Where `web_search` sends its queries.
public enum WebSearchBackend: String, Sendable, CaseIterable {
    /// DuckDuckGo's HTML endpoint (no key), as agno's `WebSearchTools` through `ddgs`.
    case duckduckgo
    /// A SearXNG instance's JSON API (`/search?format=json`; the instance must allow the json format).
    case searxng
    /// The Brave Search API (needs a subscription token).
    case brave

    /// Where the backend lives unless `base_url` says otherwise.
    public var defaultBaseURL: String? {
        switch self {
        case .duckduckgo: "https://html.duckduckgo.com"
        case .searxng: nil  // an instance the admin runs or trusts
        case .brave: "https://api.search.brave.com"
        }
    }
}
