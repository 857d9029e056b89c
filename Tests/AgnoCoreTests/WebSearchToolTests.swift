import AgnoCore
import AgnoProtocol
import AgnoTesting
import AsyncHTTPClient
import Foundation
import Testing

/// `web_search` against loopback servers that answer in each backend's recorded format (there is no
/// internet here): what is asked, what the model gets back, and every way it can fail.
@Suite struct WebSearchToolTests {
    /// The shape of a page from html.duckduckgo.com/html/ (trimmed): an ad first, then organic results with
    /// uddg-wrapped links, entities and <b> highlights.
    static let duckDuckGoPage = """
        <!DOCTYPE html><html><body><div id="links" class="results">
        <div class="result results_links results_links_deep result--ad ">
          <h2 class="result__title"><a rel="nofollow" class="result__a" href="https://duckduckgo.com/y.js?ad_domain=ads.example&amp;u3=x">Buy now</a></h2>
          <a class="result__snippet" href="https://duckduckgo.com/y.js?x">An advert.</a>
        </div>
        <div class="result results_links results_links_deep web-result ">
          <div class="links_main links_deep result__body">
            <h2 class="result__title">
              <a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fswift.org%2Fdocumentation%2F&amp;rut=abc">Swift &amp; <b>Documentation</b></a>
            </h2>
            <div class="result__extras"><a class="result__url" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fswift.org">swift.org</a></div>
            <a class="result__snippet" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fswift.org%2Fdocumentation%2F">The <b>Swift</b> language&#x27;s   official
               docs &quot;for everyone&quot;.</a>
          </div>
        </div>
        <div class="result results_links results_links_deep web-result ">
          <h2 class="result__title"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fen.wikipedia.org%2Fwiki%2FSwift_(programming_language)&amp;rut=def">Swift (programming language) - Wikipedia</a></h2>
          <a class="result__snippet" href="x">Swift is a high-level general-purpose language.</a>
        </div>
        <div class="result results_links results_links_deep web-result ">
          <h2 class="result__title"><a rel="nofollow" class="result__a" href="//duckduckgo.com/l/?uddg=https%3A%2F%2Fdeveloper.apple.com%2Fswift%2F&amp;rut=ghi">Swift - Apple Developer</a></h2>
          <a class="result__snippet" href="x">Swift is a powerful and intuitive language.</a>
        </div>
        </div></body></html>
        """

    static let searxngJSON = """
        {"query": "swift", "number_of_results": 0, "results": [
          {"url": "https://swift.org/", "title": "Swift.org", "content": "Welcome to <span class=\\"highlight\\">Swift</span>.org", "engine": "duckduckgo", "score": 3.0},
          {"url": "https://github.com/swiftlang/swift", "title": "swiftlang/swift", "content": "The Swift Programming Language", "engine": "bing", "score": 1.5}
        ], "answers": [], "corrections": [], "infoboxes": [], "suggestions": [], "unresponsive_engines": []}
        """

    static let braveJSON = """
        {"type": "search", "query": {"original": "swift"}, "mixed": {"type": "mixed"}, "web": {"type": "search", "results": [
          {"title": "Swift.org - Welcome", "url": "https://www.swift.org/", "description": "<strong>Swift</strong> is a general-purpose language.", "type": "search_result"},
          {"title": "Swift on GitHub", "url": "https://github.com/swiftlang/swift", "description": "Source code of the compiler.", "type": "search_result"}
        ]}}
        """

    /// The tool as agnod builds it (ToolHost's HTTP client).
    static func withTool(_ config: WebSearchConfig, _ body: (WebSearchTool) async throws -> Void) async throws {
        let host = ToolHost()
        let tool = try #require(host.registry(webSearch: config).tools(named: ["web_search"]).first as? WebSearchTool)
        do {
            try await body(tool)
        } catch {
            await host.shutdown()
            throw error
        }
        await host.shutdown()
    }

    static func results(_ text: String) throws -> [JSONValue] {
        try #require(try JSONValue.parse(text)["results"]?.arrayValue)
    }

    @Test func duckDuckGoHTMLFromALoopbackServerInTheRecordedFormat() async throws {
        let server = CannedHTTPServer { _ in .answer(contentType: "text/html; charset=utf-8", body: Self.duckDuckGoPage) }
        try await server.start()
        var config = WebSearchConfig()
        config.baseURL = server.baseURL
        try await Self.withTool(config) { tool in
            let out = try await tool.call(.object([("query", "swift & docs"), ("max_results", 2)]))
            let results = try Self.results(out)
            #expect(results.count == 2)  // the ad skipped, then cut to max_results
            #expect(results[0]["title"]?.stringValue == "Swift & Documentation")
            #expect(results[0]["url"]?.stringValue == "https://swift.org/documentation/")
            #expect(results[0]["snippet"]?.stringValue == "The Swift language's official docs \"for everyone\".")
            #expect(results[1]["url"]?.stringValue == "https://en.wikipedia.org/wiki/Swift_(programming_language)")
            #expect(try JSONValue.parse(out)["query"]?.stringValue == "swift & docs")
        }
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.uri == "/html/")
        #expect(request.body.hasPrefix("q=swift%20%26%20docs&"))
        await server.stop()
    }

    @Test func searxngJSONFromALoopbackServer() async throws {
        let server = CannedHTTPServer { _ in .answer(contentType: "application/json", body: Self.searxngJSON) }
        try await server.start()
        var config = WebSearchConfig()
        config.backend = .searxng
        config.baseURL = server.baseURL + "/"
        try await Self.withTool(config) { tool in
            let results = try Self.results(try await tool.call(.object([("query", "swift")])))
            #expect(results.map { $0["url"]?.stringValue } == ["https://swift.org/", "https://github.com/swiftlang/swift"])
            #expect(results[0]["snippet"]?.stringValue == "Welcome to Swift.org")
        }
        #expect(server.requests.first?.uri == "/search?q=swift&format=json")
        await server.stop()
    }

    @Test func braveJSONFromALoopbackServerWithTheKeyFromTheEnvironmentAndNeverInAnswers() async throws {
        let variable = "AGNOD_TEST_BRAVE_KEY_\(getpid())"
        let key = "BSA-secret-\(UUID().uuidString)"
        setenv(variable, key, 1)
        defer { unsetenv(variable) }
        let server = CannedHTTPServer { request in
            request.header("X-Subscription-Token") == key
                ? .answer(contentType: "application/json", body: Self.braveJSON)
                : .answer(
                    status: 401, contentType: "application/json",
                    body: #"{"error": {"detail": "bad token \#(request.header("X-Subscription-Token") ?? "")"}}"#)
        }
        try await server.start()
        var config = WebSearchConfig()
        config.backend = .brave
        config.baseURL = server.baseURL
        config.apiKeyEnv = variable
        try await Self.withTool(config) { tool in
            let out = try await tool.call(.object([("query", "swift"), ("max_results", "1")]))
            #expect(try Self.results(out).map { $0["snippet"]?.stringValue } == ["Swift is a general-purpose language."])
            #expect(!out.contains(key))
        }
        #expect(server.requests.first?.uri == "/res/v1/web/search?q=swift&count=1")
        // A refused key: the error names the problem, and not the key (the server echoed it back).
        setenv(variable, key + "-wrong", 1)
        try await Self.withTool(config) { tool in
            let error = await #expect(throws: ToolError.self) { try await tool.call(.object([("query", "swift")])) }
            #expect(error?.message.contains("HTTP 401 (check the API key)") == true)
            #expect(error?.message.contains(key) == false)
        }
        // No key at all: said before anything is sent.
        unsetenv(variable)
        let before = server.requests.count
        try await Self.withTool(config) { tool in
            let error = await #expect(throws: ToolError.self) { try await tool.call(.object([("query", "swift")])) }
            #expect(error?.message.contains("needs an API key in the environment variable \(variable)") == true)
        }
        #expect(server.requests.count == before)
        await server.stop()
    }

    @Test func failuresAreClearErrorsForTheModel() async throws {
        let server = CannedHTTPServer { request in
            switch request.uri {
            case let uri where uri.contains("q=slow"): return .hang
            case let uri where uri.contains("q=huge"):
                return .answer(contentType: "application/json", body: String(repeating: "x", count: 5000))
            case let uri where uri.contains("q=busy"): return .answer(status: 429, contentType: "text/plain", body: "slow down")
            default: return .answer(contentType: "text/html", body: "<html>captcha</html>")
            }
        }
        try await server.start()
        var config = WebSearchConfig()
        config.backend = .searxng
        config.baseURL = server.baseURL
        // The slow server never answers; the others answer at once, but on a loaded 2-core machine "at once" once
        // took longer than 0.3 s: the time limit is generous so that only the hanging server reaches it.
        config.timeout = 2
        config.maxResponseBytes = 1000
        try await Self.withTool(config) { tool in
            let cases: [(String, String)] = [
                ("slow", "did not answer within 2 s"),
                ("huge", "more than 1000 bytes"),
                ("busy", "HTTP 429 (rate limited: try again later): slow down"),
                ("other", "not SearXNG JSON"),
            ]
            for (query, expected) in cases {
                let error = await #expect(throws: ToolError.self) { try await tool.call(.object([("query", .string(query))])) }
                #expect(error?.message.contains(expected) == true, "\(query): \(error?.message ?? "no error")")
            }
            let missing = await #expect(throws: ToolError.self) { try await tool.call(.object([("max_results", 3)])) }
            #expect(missing?.message == "web_search needs a non-empty 'query' string")
        }
        var ddg = WebSearchConfig()
        ddg.baseURL = server.baseURL
        try await Self.withTool(ddg) { tool in
            let error = await #expect(throws: ToolError.self) { try await tool.call(.object([("query", "other")])) }
            #expect(error?.message.contains("not a DuckDuckGo results page") == true)
        }
        await server.stop()
        // Nothing listens on port 1 (a freed ephemeral port may be taken by a parallel test's server).
        let address = "http://127.0.0.1:1"
        var gone = WebSearchConfig()
        gone.baseURL = address
        try await Self.withTool(gone) { tool in
            let error = await #expect(throws: ToolError.self) { try await tool.call(.object([("query", "x")])) }
            #expect(
                error?.message.contains("web_search (duckduckgo at \(address)) could not be reached") == true, "\(error?.message ?? "")")
        }
    }

    @Test func cancellingTheCallClosesTheRequestAtOnce() async throws {
        let server = CannedHTTPServer { _ in .hang }
        try await server.start()
        var config = WebSearchConfig()
        config.baseURL = server.baseURL
        config.timeout = 600
        try await Self.withTool(config) { tool in
            let call = Task { try await tool.call(.object([("query", "never")])) }
            guard await awaitEvent("the search request reaching the server", { await server.waitForRequests(1) }) else { return }
            call.cancel()
            let outcome = await call.result
            #expect(throws: CancellationError.self) { try outcome.get() }
            await awaitEvent("the request's connection closing", { await server.waitForAbandoned(1) })  // closed, not left hanging
        }
        await server.stop()
    }
}
