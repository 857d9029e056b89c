import AgnoProtocol

/// One hit, as the model gets it.
public struct SearchResult: Sendable, Equatable {
    public var title: String
    public var url: String
    public var snippet: String

    public init(title: String, url: String, snippet: String) {
        self.title = title
        self.url = url
        self.snippet = snippet
    }

    var json: JSONValue { .object([("title", .string(title)), ("url", .string(url)), ("snippet", .string(snippet))]) }
}
