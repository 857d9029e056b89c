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
    /// Event streams being read, by the JSON text of the request id they answer.
    private var streams: [String: Task<Void, Never>] = [:]
    private let messages: AsyncThrowingStream<Data, Swift.Error>
    private let continuation: AsyncThrowingStream<Data, Swift.Error>.Continuation
    /// The most one message may take (as the stdio transport's line limit).
    static let maxMessageBytes = 64 << 20

    /// Thrown when the server no longer knows the session (HTTP 404): the message was not processed.
    struct SessionEnded: Error, CustomStringConvertible {
        var description: String
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
        for stream in streams.values { stream.cancel() }
        streams = [:]
        guard let sessionID, notice.reason?.hasPrefix("ended the session") != true else { return }
        var request = HTTPClientRequest(url: endpoint)
        request.method = .DELETE
        add(headers, to: &request)
        request.headers.add(name: "Mcp-Session-Id", value: sessionID)
        if let protocolVersion { request.headers.add(name: "MCP-Protocol-Version", value: protocolVersion) }
        if let response = try? await client.execute(request, timeout: .seconds(2)) {
            _ = try? await response.body.collect(upTo: 4096)
        }
    }

    func send(_ data: Data) async throws {
        if closed || notice.reason != nil {
            throw SessionEnded(description: "the HTTP session \(notice.reason ?? "was closed")")
        }
        let message = try? JSONValue.parse(data)
        let method = message?["method"]?.stringValue
        let requestID = method != nil ? message?["id"] : nil
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
        } catch {
            throw ToolError("cannot reach \(shown): \(redact(String(describing: error)))")
        }
        let status = response.status.code
        if status == 404, sessionID != nil {
            notice.end("ended the session (HTTP 404)")
            throw SessionEnded(description: "\(shown) no longer knows the session (HTTP 404)")
        }
        guard (200..<300).contains(status) else {
            throw ToolError(await refusal(response))
        }
        // The session id comes with the answer to `initialize` (a refusal may carry one too: not taken).
        if method == "initialize", let id = response.headers.first(name: "Mcp-Session-Id") { sessionID = id }
        if method == "notifications/cancelled", let target = message?["params"]?["requestId"] {
            // The server was told; the stream of the abandoned call is not read any more.
            streams.removeValue(forKey: target.encodedString)?.cancel()
        }
        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        if contentType.hasPrefix("text/event-stream") {
            let key = requestID?.encodedString ?? "notification-\(UUID().uuidString)"
            streams[key] = Task { await self.read(response.body, answering: requestID, key: key) }
        } else {
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: Self.maxMessageBytes)
            } catch {
                throw ToolError("the answer from \(shown) could not be read: \(redact(String(describing: error)))")
            }
            if body.readableBytes > 0 { _ = deliver(Data(body.readableBytesView), answering: requestID) }
        }
    }

    /// Reads one event stream, passing each event's data on as a message. If it ends before the answer to
    /// its request, the request gets an error answer (otherwise it would wait for its timeout).
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
            }
            parser.finish { data in
                if deliver(Data(data), answering: requestID) { answered = true }
            }
        } catch is CancellationError {
            failure = "the stream was closed by agnod"
        } catch {
            failure = "the stream broke: \(redact((error as? ToolError)?.message ?? String(describing: error)))"
        }
        if streams[key] != nil { streams[key] = nil }
        guard let requestID, !answered, !closed, !Task.isCancelled else { return }
        let answer = JSONValue.object([
            ("jsonrpc", "2.0"), ("id", requestID),
            ("error", .object([("code", .int(-32603)), ("message", .string("\(shown): \(failure)"))])),
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
        let detail = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
        let text = detail.isEmpty ? "" : ": " + redact(String(detail.prefix(300)))
        let hint = status.code == 401 || status.code == 403 ? " (check bearer_token_env / bearer_token_credential)" : ""
        return "\(shown) answered HTTP \(status.code) \(status.reasonPhrase)\(hint)\(text)"
    }

    private func add(_ headers: [(String, String)], to request: inout HTTPClientRequest) {
        for (name, value) in headers { request.headers.add(name: name, value: value) }
    }

    private func redact(_ text: String) -> String { SecretRedactor.redact(text, secrets: secrets) }

    /// scheme://host:port/path of a URL.
    static func shown(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "the MCP server's url" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? "the MCP server's url"
    }
}
