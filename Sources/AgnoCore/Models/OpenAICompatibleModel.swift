import AgnoProtocol
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A model behind an OpenAI-compatible `/chat/completions` endpoint, always streamed.
/// The HTTP request runs in the calling task: cancelling the task closes the connection at once.
/// A class: `self` in the frames of its async functions is one reference.
public final class OpenAICompatibleModel: ChatModel {
    public let provider: ProviderConfig
    let client: HTTPClient

    public init(provider: ProviderConfig, client: HTTPClient) {
        self.provider = provider
        self.client = client
    }

    private var whereText: String { "model provider '\(provider.name)' (\(provider.chatCompletionsURL))" }

    /// Split in three so that a call waiting for the answer's head (a slow or stalled model, the common case
    /// with thousands of runs) keeps only the frames of the request's part in its task, not the parser's.
    public func stream(_ request: ChatRequest, onContent: (String) -> Void, pace: () async -> Void) async throws -> ChatTurn {
        let key = try apiKey()
        let started = ContinuousClock.now
        let response = try await open(request, key: key)
        return try await read(response, model: request.model, key: key, started: started, onContent: onContent, pace: pace)
    }

    private func apiKey() throws -> String? {
        let key = provider.apiKey()
        if key == nil, let env = provider.apiKeyEnv, provider.apiKeyCredential == nil {
            throw ModelError(.notConfigured, "\(whereText) needs an API key in the environment variable \(env), which is not set for agnod")
        }
        return key
    }

    /// Sends the request until an answer's head says 2xx; the body follows in the response.
    @inline(never)
    private func open(_ request: ChatRequest, key: String?) async throws -> StreamingResponse {
        let includeUsage = provider.streamUsage && !UsageRefusals.shared.refuses(provider)
        let (head, response) = try await send(request, includeUsage: includeUsage, key: key)
        if (200..<300).contains(head.status.code) { return response }
        return try await refused(head, response, request, includedUsage: includeUsage, key: key)
    }

    /// The server answered an error: thrown, unless it refused `stream_options` (some answer 400 to an option
    /// they do not know): then asked again without it, and not asked again for this provider; its tokens are
    /// then counted.
    @inline(never)
    private func refused(_ head: HTTPResponseHead, _ response: StreamingResponse, _ request: ChatRequest, includedUsage: Bool, key: String?)
        async throws -> StreamingResponse
    {
        let error = await httpError(head, response, key: key)
        guard includedUsage, [400, 422].contains(Int(head.status.code)), error.message.contains("stream_options") else {
            throw error
        }
        UsageRefusals.shared.note(provider)
        let (again, response) = try await send(request, includeUsage: false, key: key)
        guard (200..<300).contains(again.status.code) else { throw await httpError(again, response, key: key) }
        return response
    }

    /// Reads the answer's stream: content to `onContent`, the whole turn at the end.
    @inline(never)
    private func read(
        _ response: StreamingResponse, model: String, key: String?, started: ContinuousClock.Instant, onContent: (String) -> Void,
        pace: () async -> Void
    ) async throws -> ChatTurn {
        let reader = AnswerReader(started: started)
        do {
            try await Self.pump(response, into: reader, onContent: onContent, pace: pace)
        } catch {
            throw streamError(error, key: key)
        }
        return try answer(reader, model: model)
    }

    /// The body's reads into `reader`, each followed by the caller's `pace`, until the answer is complete.
    /// Only the loop awaits here; what a read does is synchronous (`AnswerReader`).
    @inline(never)
    private static func pump(
        _ response: StreamingResponse, into reader: AnswerReader, onContent: (String) -> Void, pace: () async -> Void
    ) async throws {
        for try await buffer in response.body {
            if try reader.feed(buffer, onContent: onContent) { break }
            await pace()
            reader.resumed()
        }
        try reader.finish(onContent: onContent)
    }

    /// An error while the answer streamed, as the step reports it.
    @inline(never)
    private func streamError(_ error: any Error, key: String?) -> any Error {
        guard let error = error as? ModelError else { return translate(error, phase: .streaming, key: key) }
        if Task.isCancelled { return CancellationError() }
        return ModelError(error.kind, "\(whereText): \(SecretRedactor.redact(error.message, secrets: key.map { [$0] } ?? []))")
    }

    /// The turn the stream gave, unless it was cut short.
    @inline(never)
    private func answer(_ reader: AnswerReader, model: String) throws -> ChatTurn {
        try Task.checkCancellation()
        guard reader.complete else {
            throw ModelError(
                .brokenStream, "\(whereText): the stream ended before the answer was complete (no finish_reason and no [DONE])")
        }
        return reader.turn(price: provider.prices[model])
    }

    /// Sends one streamed request; the answer's head is back (the body follows in the response).
    @inline(never)
    private func send(_ request: ChatRequest, includeUsage: Bool, key: String?) async throws -> (HTTPResponseHead, StreamingResponse) {
        do {
            let response = try start(request, includeUsage: includeUsage, key: key)
            return (try await response.head(), response)
        } catch {
            throw translate(error, phase: .connecting, key: key)
        }
    }

    /// The HTTP request, started.
    @inline(never)
    private func start(_ request: ChatRequest, includeUsage: Bool, key: String?) throws -> StreamingResponse {
        var request = request
        request.includeUsage = includeUsage
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Accept", value: "text/event-stream")
        if let key { headers.add(name: "Authorization", value: "Bearer \(key)") }
        let http = try HTTPClient.Request(
            url: provider.chatCompletionsURL, method: .POST, headers: headers, body: .byteBuffer(ByteBuffer(bytes: request.body.encoded)))
        let deadline = NIODeadline.now() + .seconds(Int64(provider.connectTimeout + provider.readTimeout))
        return StreamingResponse.start(http, on: client, deadline: deadline)
    }

    private enum Phase { case connecting, streaming }

    private func translate(_ error: Error, phase: Phase, key: String?) -> Error {
        if Task.isCancelled || error is CancellationError { return CancellationError() }
        if let e = error as? HTTPClientError, e == .cancelled { return CancellationError() }
        let text = SecretRedactor.redact(String(describing: error), secrets: key.map { [$0] } ?? [])
        if let e = error as? HTTPClientError, e == .readTimeout {
            return ModelError(.timeout, "\(whereText) sent nothing for \(Int(provider.readTimeout)) s (read_timeout)")
        }
        switch phase {
        case .connecting:
            let refused = text.contains("refused") || text.contains("ECONNREFUSED") || text.contains("errno: 111")
            let hint = provider.hint.map { "; \($0)" } ?? ""
            let reason = refused ? "refused the connection" : "could not be reached (\(text))"
            return ModelError(.unreachable, "\(whereText) \(reason)\(hint)")
        case .streaming:
            return ModelError(.brokenStream, "\(whereText): the stream broke mid-answer (\(text))")
        }
    }

    private func httpError(_ head: HTTPResponseHead, _ response: StreamingResponse, key: String?) async -> ModelError {
        var body = ""
        if let buffer = try? await response.collect(upTo: 16 * 1024) {
            body = String(buffer: buffer)
        }
        var detail = body
        if let json = try? JSONValue.parse(body),
            let message = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["detail"]?.stringValue
        {
            detail = message
        }
        detail = SecretRedactor.redact(
            String(detail.prefix(300)).trimmingCharacters(in: .whitespacesAndNewlines), secrets: key.map { [$0] } ?? [])
        let status = Int(head.status.code)
        var hint = ""
        switch status {
        case 401, 403: hint = " (check the API key in \(provider.apiKeyEnv ?? provider.apiKeyCredential ?? "the provider's api_key_env"))"
        case 404: hint = " (check base_url and the model name)"
        case 429: hint = " (rate limited: try again later)"
        case 500...: hint = " (the model server failed)"
        default: break
        }
        return ModelError(
            .http(status: status),
            "\(whereText) answered HTTP \(status) \(head.status.reasonPhrase)\(hint)\(detail.isEmpty ? "" : ": \(detail)")")
    }
}
