import AgnoProtocol
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An OpenAI-compatible chat-completions server for deterministic tests, on a loopback port. Each request is
/// answered by `script`, which sees the request body (so a test can answer tool results differently).
/// It records every request, and notices when a client closes a stream before the end.
public final class ScriptedModelServer: Sendable {
    public typealias Script = @Sendable (_ body: JSONValue, _ index: Int) -> ModelScript

    private let script: Script
    private let channel: Mutex<Channel?> = Mutex(nil)
    private let state = Mutex(Stats())
    private let closedEvents: AsyncStream<Void>
    private let closedContinuation: AsyncStream<Void>.Continuation

    public struct Stats: Sendable {
        public var requests: [JSONValue] = []
        /// Streams the client closed before the server finished.
        public var abortedByClient = 0
        public var completed = 0
    }

    public init(script: @escaping Script) {
        self.script = script
        (closedEvents, closedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// A server that answers every request the same way.
    public convenience init(_ fixed: ModelScript) {
        self.init { _, _ in fixed }
    }

    public var stats: Stats { state.withLock { $0 } }

    /// The base URL to put in a provider's `base_url`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    public func start() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        channel.withLock { $0 = server.channel }
        Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        }
    }

    public func stop() async {
        let ch = channel.withLock { $0 }
        try? await ch?.close()
    }

    /// Waits until a client has closed a stream early (`abortedByClient` reached `count`).
    public func waitForAborts(_ count: Int) async {
        for await _ in closedEvents where stats.abortedByClient >= count { return }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var body = ByteBuffer()
            while let part = try await iterator.next() {
                switch part {
                case .head: body.clear()
                case .body(var chunk): body.writeBuffer(&chunk)
                case .end:
                    let json = (try? JSONValue.parse(body.readableBytesView)) ?? .null
                    let index = state.withLock { s in
                        s.requests.append(json)
                        return s.requests.count - 1
                    }
                    let model = json["model"]?.stringValue ?? "scripted"
                    let keepGoing = try await answer(script(json, index), model: model, outbound: outbound, inbound: &iterator)
                    if !keepGoing { return }
                }
            }
        }
    }

    /// Writes one response; false when the connection must close (a broken stream, or the client left).
    private func answer(_ script: ModelScript, model: String, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
                        inbound: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) async throws -> Bool {
        if case .httpError(let status, let text) = script {
            var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(text.utf8.count))
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: text))))
            try await outbound.write(.end(nil))
            state.withLock { $0.completed += 1 }
            return true
        }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "text/event-stream")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        do {
            try await outbound.write(.head(head))
            try await send(Self.chunk(["role": "assistant", "content": ""], model: model), outbound)
            switch script {
            case .text(let chunks, let delay):
                for text in chunks {
                    try await send(Self.chunk(["content": .string(text)], model: model), outbound)
                    if delay > .zero { try await Task.sleep(for: delay) }
                }
                try await send(Self.chunk([:], finish: "stop", model: model), outbound)
            case .toolCall(let name, let arguments):
                let id = "call_\(UUID().uuidString.prefix(8))"
                try await send(Self.chunk(["tool_calls": .array([.object([("index", 0), ("id", .string(id)), ("type", "function"),
                    ("function", .object([("name", .string(name)), ("arguments", "")]))])])], model: model), outbound)
                var rest = Substring(arguments)
                while !rest.isEmpty {
                    let part = rest.prefix(7)
                    rest = rest.dropFirst(7)
                    try await send(Self.chunk(["tool_calls": .array([.object([("index", 0), ("function", .object([("arguments", .string(String(part)))]))])])], model: model), outbound)
                }
                try await send(Self.chunk([:], finish: "tool_calls", model: model), outbound)
            case .stall(let chunks):
                for text in chunks { try await send(Self.chunk(["content": .string(text)], model: model), outbound) }
                // Hold the connection open until the client closes it.
                while try await inbound.next() != nil {}
                throw ChannelError.eof
            case .broken(let chunks):
                for text in chunks { try await send(Self.chunk(["content": .string(text)], model: model), outbound) }
                state.withLock { $0.completed += 1 }
                return false
            case .httpError: break
            }
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: "data: [DONE]\n\n"))))
            try await outbound.write(.end(nil))
            state.withLock { $0.completed += 1 }
            return true
        } catch {
            state.withLock { $0.abortedByClient += 1 }
            closedContinuation.yield()
            return false
        }
    }

    private func send(_ event: String, _ outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>) async throws {
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: event))))
    }

    static func chunk(_ delta: [String: JSONValue], finish: String? = nil, model: String) -> String {
        let body = JSONValue.object([
            ("id", "chatcmpl-scripted"), ("object", "chat.completion.chunk"), ("created", .int(Int(Date().timeIntervalSince1970))),
            ("model", .string(model)),
            ("choices", .array([.object([("index", 0), ("delta", .object(delta.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })), ("finish_reason", .optional(finish))])])),
        ])
        return "data: \(body.encodedString)\n\n"
    }
}
