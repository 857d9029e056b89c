import AgnoCore
import AgnoProtocol
import AsyncHTTPClient
import Foundation
import Logging
import MCP
import NIOCore
import NIOHTTP1

/// MCP's streamable-HTTP transport (spec 2025-06-18) over async-http-client. Every message is a POST to the
/// endpoint with `Accept: application/json, text/event-stream`; a request's answer comes as one JSON body or
/// as a server-sent-events stream (read as it arrives: progress and log messages come before the result);
/// notifications get 202. The session id the server gives with the `initialize` answer, and the negotiated
/// protocol version, go on every later request. (The SDK's own HTTP transport cannot read event streams on
/// Linux.) Not used: the optional GET stream for server-initiated messages, since agnod offers the server
/// nothing to ask for (no sampling, no roots) and reads tool lists once.
///
/// Every request gets an answer: the server's, or an error answer made here when its POST or stream ends
/// without one (so no call waits for its timeout). Once the server has said it no longer knows the session
/// (404), every request it had not accepted (2xx) was not run by it, and may be sent again on a new session.
actor HTTPTransport: Transport {
    nonisolated let logger: Logger
    private let endpoint: String
    /// The endpoint as messages show it: no user info, no query (either may hold a secret).
    private let shown: String
    private let client: HTTPClient
    private let headers: [(String, String)]
    private let secrets: [String]
    private let requestTimeout: TimeAmount
    private let notice: EndNotice
    private var sessionID: String?
    private var protocolVersion: String?
    private var closed = false
    /// POSTs waiting for their answer's head (or reading a JSON body), by the JSON text of the request id.
    private var posts: [String: Task<Answer, Error>] = [:]
    /// Event streams being read, by the JSON text of the request id they answer.
    private var streams: [String: Task<Void, Never>] = [:]
    /// Requests the client cancelled (their answers are not read any more).
    private var cancelled: Set<String> = []
    /// Requests the server accepted (2xx) and has not answered yet.
    private var accepted: Set<String> = []
    private let messages: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    /// The most one message may take (as the stdio transport's line limit).
    static let maxMessageBytes = 64 << 20

    /// Thrown when the server no longer knows the session (HTTP 404), or agnod closed it: the message was not processed.
    struct SessionEnded: Error, CustomStringConvertible {
        var description: String
    }

    /// What a POST got back.
    private enum Answer: Sendable {
        case events(HTTPClientResponse.Body)
        case body(ByteBuffer)
    }

    init(endpoint: String, client: HTTPClient, headers: [(String, String)], secrets: [String], requestTimeout: Double, notice: EndNotice, logger: Logger) {
        self.endpoint = endpoint
        self.shown = Self.shown(endpoint)
        self.client = client
        self.headers = headers
        self.secrets = secrets
        self.requestTimeout = .milliseconds(Int64(requestTimeout * 1000))
        self.notice = notice
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream<Data, Swift.Error>.makeStream()
    }

    func connect() async throws {}

    nonisolated func receive() -> AsyncThrowingStream<Data, Swift.Error> { messages }

    /// Ends the session: closes the streams being read and deletes the session on the server (best effort).
    /// The message stream finishes (the SDK's client only stops reading once it disconnects).
    func disconnect() async {
        await close()
        continuation.finish()
    }

    /// Closes what is open and, unless the server already ended it, deletes the session.
    func close() async {
        guard !closed else { return }
        closed = true
        for post in posts.values { post.cancel() }
        for stream in streams.values { stream.cancel() }
        posts = [:]
        streams = [:]
        guard let sessionID, notice.reason != HTTPConnection.forgotten else { return }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .DELETE
        add(headers, to: &request)
        request.headers.add(name: "Mcp-Session-Id", value: sessionID)
        if let protocolVersion { request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        // The answer's body is not read (a server that stalls in it must not hold up agnod's stop).
        _ = try? await client.execute(request, timeout: .seconds(2))
    }

    /// Whether the server did not run this request: it forgot the session before accepting it.
    func wasRefused(_ id: ID) -> Bool { notice.reason == HTTPConnection.forgotten && !accepted.contains(Self.key(id)) }

    func send(_ data: Data) async throws {
        let message = try? JSONValue.parse(data)
        let method = message?["method"]?.stringValue
        let requestID = method != nil ? message?["id"] : nil
        let key = requestID?.encodedString
        if closed || notice.reason != nil {
            throw SessionEnded(description: "the HTTP session \(notice.reason ?? "was closed")")
        }
        if method == "notifications/cancelled", let target = message?["params"]?["requestId"]?.encodedString {
            // The answer to the cancelled request is not wanted any more, wherever it is.
            if let post = posts.removeValue(forKey: target) {
                cancelled.insert(target)
                post.cancel()
            }
            if let stream = streams.removeValue(forKey: target) {
                cancelled.insert(target)
                stream.cancel()
            }
        }
        let post = Task { try await self.post(data, method: method, key: key) }
        if let key { posts[key] = post }
        let answer: Answer
        do {
            answer = try await post.value
        } catch {
            if let key { posts[key] = nil }
            if let key, cancelled.remove(key) != nil { return }
            // Closed meanwhile (its POST was cancelled): not a cancel of the call.
            if closed { throw SessionEnded(description: "the HTTP session \(notice.reason ?? "was closed")") }
            throw error
        }
        if let key { posts[key] = nil }
        if closed { throw SessionEnded(description: "the HTTP session was closed") }
        if let key, cancelled.remove(key) != nil {
            accepted.remove(key)
            return
        }
        switch answer {
        case .events(let body):
            let streamKey = key ?? "notification-\(UUID().uuidString)"
            streams[streamKey] = Task { await self.read(body, answering: requestID, key: streamKey) }
        case .body(let body):
            let answered = body.readableBytes > 0 && deliver(Data(body.readableBytesView), answering: requestID)
            if let requestID, !answered { fail(requestID, "the server answered without an answer to the request") }
            if let key { accepted.remove(key) }
        }
    }

    /// One POST: its answer's head, and for a JSON answer the whole body.
    private func post(_ data: Data, method: String?, key: String?) async throws -> Answer {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        add(headers, to: &request)
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        request.headers.replaceOrAdd(name: "Accept", value: "application/json, text/event-stream")
        if let sessionID { request.headers.add(name: "Mcp-Session-Id", value: sessionID) }
        if let protocolVersion { request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        request.body = .bytes(ByteBuffer(bytes: data))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: requestTimeout)
        } catch let error as HTTPClientError where error == .cancelled {
            throw CancellationError()
        } catch {
            throw ToolError("cannot reach \(shown): \(redact(String(describing: error)))")
        }
        let status = response.status.code
        if status == 404, sessionID != nil {
            notice.end(HTTPConnection.forgotten)
            throw SessionEnded(description: "\(shown) no longer knows the session (HTTP 404)")
        }
        guard (200..<300).contains(status) else {
            throw ToolError(await refusal(response))
        }
        if let key { accepted.insert(key) }
        // The session id comes with the answer to `initialize` (a refusal may carry one too: not taken).
        if method == "initialize", let id = response.headers.first(name: "Mcp-Session-Id") { sessionID = id }
        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") { return .events(response.body) }
        do {
            return .body(try await response.body.collect(upTo: Self.maxMessageBytes))
        } catch let error as NIOTooManyBytesError {
            _ = error
            throw ToolError("the answer from \(shown) is larger than \(Self.maxMessageBytes >> 20) MB")
        } catch {
            throw ToolError("the answer from \(shown) could not be read: \(redact(String(describing: error)))")
        }
    }

    /// Reads one event stream, passing each event's data on as a message, until it carries the answer to its
    /// request (a server may keep it open: it is not needed after that). If it ends before the answer, the
    /// request gets an error answer (otherwise it would wait for its timeout).
    private func read(_ body: HTTPClientResponse.Body, answering requestID: JSONValue?, key: String) async {
        var parser = SSEParser()
        var answered = false
        var pending = 0
        var failure = "the stream ended before the answer"
        do {
            for try await chunk in body {
                pending += chunk.readableBytes
                if pending > Self.maxMessageBytes { throw ToolError("a message larger than \(Self.maxMessageBytes >> 20) MB") }
                parser.feed(chunk.readableBytesView) { data in
                    pending = 0
                    if deliver(Data(data), answering: requestID) { answered = true }
                }
                if answered { break }
            }
            if !answered {
                parser.finish { data in
                    if deliver(Data(data), answering: requestID) { answered = true }
                }
            }
        } catch is CancellationError {
            failure = "the stream was closed by agnod"
        } catch {
            failure = "the stream broke: \(redact((error as? ToolError)?.message ?? String(describing: error)))"
        }
        streams[key] = nil
        accepted.remove(key)
        let wasCancelled = cancelled.remove(key) != nil
        guard let requestID, !answered, !closed, !Task.isCancelled, !wasCancelled else { return }
        fail(requestID, failure)
    }

    /// Answers a request with an error made here.
    private func fail(_ requestID: JSONValue, _ why: String) {
        let answer = JSONValue.object([
            ("jsonrpc", "2.0"), ("id", requestID),
            ("error", .object([("code", .int(-32603)), ("message", .string("\(shown): \(why)"))])),
        ])
        continuation.yield(Data(answer.encoded))
    }

    /// Passes one message to the client; true when it answers `requestID`. Learns the protocol version from
    /// the answer to `initialize`.
    private func deliver(_ data: Data, answering requestID: JSONValue?) -> Bool {
        guard !data.isEmpty else { return false }
        let json = try? JSONValue.parse(data)
        if protocolVersion == nil, let version = json?["result"]?["protocolVersion"]?.stringValue { protocolVersion = version }
        continuation.yield(data)
        guard let requestID, let json, json["id"] == requestID else { return false }
        return json["result"] != nil || json["error"] != nil
    }

    private func refusal(_ response: HTTPClientResponse) async -> String {
        let status = response.status
        if (300..<400).contains(status.code) {
            let location = response.headers.first(name: "Location").map { " to \(Self.shown($0))" } ?? ""
            return "\(shown) redirects\(location) (HTTP \(status.code)); configure the address it redirects to"
        }
        // The start of the body says why; a server that stalls in it is not waited for.
        let body = response.body
        let detail = (try? await withTimeout(seconds: 2, what: "reading the refusal") { try await body.collect(upTo: 4096) })
            .map { String(buffer: $0) } ?? ""
        let text = detail.isEmpty ? "" : ": " + redact(String(detail.prefix(300)))
        let hint = status.code == 401 || status.code == 403 ? " (check bearer_token_env / bearer_token_credential)" : ""
        return "\(shown) answered HTTP \(status.code) \(status.reasonPhrase)\(hint)\(text)"
    }

    private func add(_ headers: [(String, String)], to request: inout HTTPClientRequest) {
        for (name, value) in headers { request.headers.add(name: name, value: value) }
    }

    private func redact(_ text: String) -> String { SecretRedactor.redact(text, secrets: secrets) }

    /// The JSON text of a request id, as the transport keys requests.
    static func key(_ id: ID) -> String {
        switch id {
        case .string(let text): return JSONValue.string(text).encodedString
        case .number(let number): return JSONValue.int(number).encodedString
        }
    }

    /// scheme://host:port/path of a URL.
    static func shown(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "the MCP server's url" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "the MCP server's url"
    }

    /// What in a URL may be secret: the password and the query's values.
    static func secrets(in url: String) -> [String] {
        guard let parts = URLComponents(string: url) else { return [] }
        return [parts.password].compactMap { $0 } + (parts.queryItems ?? []).compactMap(\.value)
    }
}
