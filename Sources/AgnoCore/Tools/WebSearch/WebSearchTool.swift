import AgnoProtocol
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `web_search(query, max_results)`: asks the configured backend and answers with compact JSON
/// `{"query":…,"results":[{"title","url","snippet"}…]}`. The request runs in the calling task, so
/// cancelling the run closes the connection at once. Failures (no network, timeout, HTTP errors, an answer
/// too big or not understood) are `ToolError`s the model reads; the API key never appears in them.
public struct WebSearchTool: Tool {
    public let config: WebSearchConfig
    let client: HTTPClient

    public init(config: WebSearchConfig, client: HTTPClient) {
        self.config = config
        self.client = client
    }

    public var name: String { "web_search" }
    public var description: String { "Search the web. Returns a JSON list of results, each with title, url and snippet." }
    public var parameters: JSONValue {
        .object([
            ("type", "object"),
            ("properties", .object([
                ("query", .object([("type", "string"), ("description", "What to search for")])),
                ("max_results", .object([("type", "integer"), ("description", .string("How many results (1 to \(config.maxResults), default \(config.defaultResults))"))])),
            ])),
            ("required", .array(["query"])),
        ])
    }

    private var backendName: String { config.backend.rawValue }

    public func call(_ arguments: JSONValue) async throws -> String {
        guard let query = arguments["query"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            throw ToolError("web_search needs a non-empty 'query' string")
        }
        let wanted = arguments["max_results"].flatMap { $0.intValue ?? $0.doubleValue.map { Int($0) } ?? $0.stringValue.flatMap { Int($0) } }
        let count = min(max(wanted ?? config.defaultResults, 1), config.maxResults)
        guard let base = config.resolvedBaseURL else {
            throw ToolError("web_search: the \(backendName) backend needs tools.web_search.base_url in agnod's configuration")
        }
        let key = config.apiKey()
        if config.backend == .brave && key == nil {
            throw ToolError("web_search: the brave backend needs an API key in \(config.apiKeyEnv.map { "the environment variable \($0)" } ?? config.apiKeyCredential.map { "the credential \($0)" } ?? "tools.web_search.api_key_env"), which is not set for agnod")
        }
        let request = try self.request(query: query, count: count, base: base, key: key)
        let body = try await fetch(request, base: base, key: key)
        var results = try parse(body, limit: count)
        for i in results.indices {
            results[i].snippet = Self.cut(results[i].snippet, to: config.maxSnippetCharacters)
            results[i].title = Self.cut(results[i].title, to: 200)
        }
        return JSONValue.object([("query", .string(query)), ("results", .array(results.map(\.json)))]).encodedString
    }

    static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&+=?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private static func join(_ base: String, _ path: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    func request(query: String, count: Int, base: String, key: String?) throws -> HTTPClientRequest {
        var request: HTTPClientRequest
        switch config.backend {
        case .duckduckgo:
            request = HTTPClientRequest(url: Self.join(base, "/html/"))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: "q=\(Self.escape(query))&b=&kl=wt-wt"))
        case .searxng:
            request = HTTPClientRequest(url: Self.join(base, "/search?q=\(Self.escape(query))&format=json"))
        case .brave:
            request = HTTPClientRequest(url: Self.join(base, "/res/v1/web/search?q=\(Self.escape(query))&count=\(count)"))
            if let key { request.headers.add(name: "X-Subscription-Token", value: key) }
        }
        request.headers.add(name: "User-Agent", value: "Mozilla/5.0 (compatible; agnod web_search)")
        request.headers.add(name: "Accept", value: config.backend == .duckduckgo ? "text/html" : "application/json")
        return request
    }

    private func fetch(_ request: HTTPClientRequest, base: String, key: String?) async throws -> ByteBuffer {
        let whereText = "web_search (\(backendName) at \(base))"
        let secrets = key.map { [$0] } ?? []
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(config.timeout * 1000)))
            guard (200..<300).contains(response.status.code) else {
                let detail = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
                let shown = SecretRedactor.redact(HTMLText.plain(Substring(detail)).prefix(200).description, secrets: secrets)
                var hint = ""
                switch response.status.code {
                case 401, 403: hint = config.backend == .brave ? " (check the API key)" : " (the backend refused this client)"
                case 429: hint = " (rate limited: try again later)"
                default: break
                }
                throw ToolError("\(whereText) answered HTTP \(response.status.code)\(hint)\(shown.isEmpty ? "" : ": \(shown)")")
            }
            do {
                return try await response.body.collect(upTo: config.maxResponseBytes)
            } catch let error as NIOTooManyBytesError {
                _ = error
                throw ToolError("\(whereText) answered with more than \(config.maxResponseBytes) bytes; not read")
            }
        } catch let error as ToolError {
            throw error
        } catch {
            if Task.isCancelled || error is CancellationError { throw CancellationError() }
            if let e = error as? HTTPClientError, e == .cancelled { throw CancellationError() }
            if let e = error as? HTTPClientError, e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
                throw ToolError("\(whereText) did not answer within \(secondsText(config.timeout)) s")
            }
            throw ToolError("\(whereText) could not be reached: \(SecretRedactor.redact(String(describing: error), secrets: secrets))")
        }
    }

    func parse(_ body: ByteBuffer, limit: Int) throws -> [SearchResult] {
        let whereText = "web_search (\(backendName))"
        switch config.backend {
        case .duckduckgo:
            let html = String(buffer: body)
            let results = DuckDuckGoHTMLParser.results(html, limit: limit)
            if results.isEmpty && !html.contains("result__a") && !html.contains("No results") && !html.contains("no-results") {
                throw ToolError("\(whereText): the answer is not a DuckDuckGo results page (blocked, or the page changed)")
            }
            return results
        case .searxng:
            guard let json = try? JSONValue.parse(body.readableBytesView), let items = json["results"]?.arrayValue else {
                throw ToolError("\(whereText): the answer is not SearXNG JSON with 'results' (is format=json enabled on the instance?)")
            }
            return items.prefix(limit).compactMap { item in
                guard let url = item["url"]?.stringValue else { return nil }
                return SearchResult(title: HTMLText.plain(Substring(item["title"]?.stringValue ?? "")), url: url,
                                    snippet: HTMLText.plain(Substring(item["content"]?.stringValue ?? "")))
            }
        case .brave:
            guard let json = try? JSONValue.parse(body.readableBytesView), json["type"] != nil || json["web"] != nil || json["query"] != nil else {
                throw ToolError("\(whereText): the answer is not Brave Search JSON")
            }
            let items = json["web"]?["results"]?.arrayValue ?? []
            return items.prefix(limit).compactMap { item in
                guard let url = item["url"]?.stringValue else { return nil }
                return SearchResult(title: HTMLText.plain(Substring(item["title"]?.stringValue ?? "")), url: url,
                                    snippet: HTMLText.plain(Substring(item["description"]?.stringValue ?? "")))
            }
        }
    }
}
