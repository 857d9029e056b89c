import AgnoProtocol
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// An OpenAI-compatible chat-completions server for deterministic tests, on a loopback port. Each request is
/// answered by `script`, which sees the request body (so a test can answer tool results differently).
/// It records every request, and notices when a client closes a stream before the end.
///
/// It runs on NIO event-loop threads only (no Swift concurrency), so tests that block their own thread on a
/// socket read can never starve it.
public final class ScriptedModelServer: Sendable {
    public typealias Script = @Sendable (_ body: JSONValue, _ index: Int) -> ModelScript

    let script: Script
    /// Whether a request that asks for it (`stream_options.include_usage`) gets a usage chunk.
    let reportsUsage: Bool
    /// Whether `stats.requests` keeps every request body (a long benchmark turns it off).
    let recordsRequests: Bool
    /// The loopback port to listen on (0: any free one).
    private let requestedPort: Int
    private let channel: Mutex<Channel?> = Mutex(nil)
    let state = Mutex(Stats())
    private let aborts: AsyncStream<Void>
    let abortSignal: AsyncStream<Void>.Continuation

    public struct Stats: Sendable {
        public var requests: [JSONValue] = []
        /// Requests answered so far (also when they are not recorded).
        public var requestCount = 0
        /// Streams the client closed before the server finished.
        public var abortedByClient = 0
        public var completed = 0
    }

    public init(port: Int = 0, reportsUsage: Bool = true, recordsRequests: Bool = true, script: @escaping Script) {
        self.script = script
        self.reportsUsage = reportsUsage
        self.recordsRequests = recordsRequests
        self.requestedPort = port
        (aborts, abortSignal) = AsyncStream<Void>.makeStream()
    }

    /// A server that answers every request the same way.
    public convenience init(_ fixed: ModelScript, reportsUsage: Bool = true) {
        self.init(reportsUsage: reportsUsage) { _, _ in fixed }
    }

    public var stats: Stats { state.withLock { $0 } }

    /// The base URL to put in a provider's `base_url`.
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }

    public func start() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(ScriptedHTTPHandler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: requestedPort).get()
        channel.withLock { $0 = server }
    }

    /// Closes the listening socket without waiting.
    public func close() {
        channel.withLock { $0 }?.close(promise: nil)
    }

    public func stop() async {
        let ch = channel.withLock { $0 }
        try? await ch?.close()
    }

    /// Waits until clients have closed `count` streams early.
    public func waitForAborts(_ count: Int) async {
        if stats.abortedByClient >= count { return }
        for await _ in aborts where stats.abortedByClient >= count { return }
    }

    /// The prompt tokens the server reports: the words (split at white space) of the request's messages.
    public static func promptTokens(_ request: JSONValue) -> Int {
        (request["messages"]?.arrayValue ?? []).reduce(0) { sum, message in
            sum + (message["content"]?.stringValue ?? "").split(whereSeparator: \.isWhitespace).count
        }
    }

    static func usageChunk(prompt: Int, completion: Int, model: String) -> String {
        let body = JSONValue.object([
            ("id", "chatcmpl-scripted"), ("object", "chat.completion.chunk"), ("created", .int(Int(Date().timeIntervalSince1970))),
            ("model", .string(model)), ("choices", .array([])),
            (
                "usage",
                .object([
                    ("prompt_tokens", .int(prompt)), ("completion_tokens", .int(completion)), ("total_tokens", .int(prompt + completion)),
                ])
            ),
        ])
        return "data: \(body.encodedString)\n\n"
    }

    static func chunk(_ delta: [(String, JSONValue)], finish: String? = nil, model: String) -> String {
        let body = JSONValue.object([
            ("id", "chatcmpl-scripted"), ("object", "chat.completion.chunk"), ("created", .int(Int(Date().timeIntervalSince1970))),
            ("model", .string(model)),
            ("choices", .array([.object([("index", 0), ("delta", .object(delta)), ("finish_reason", .optional(finish))])])),
        ])
        return "data: \(body.encodedString)\n\n"
    }
}
