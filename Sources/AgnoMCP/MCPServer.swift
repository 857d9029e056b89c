import AgnoCore
import AgnoProtocol
import AsyncHTTPClient
import Foundation
import Logging
import MCP
import Synchronization

/// One configured MCP server: started (and its tools listed) at agnod's start, restarted after it exits,
/// and called with a timeout. A call whose run is cancelled, or that times out, returns at once; behind it
/// the server gets `notifications/cancelled`, and if it does not answer a ping within `cancel_grace` (it is
/// stuck in the call) its process group is killed and it restarts on the next call. A streamable-HTTP server
/// is the same, with its session in place of the process (dropped instead of killed).
public final class MCPServer: Sendable {
    public let config: MCPServerConfig
    let logger: Logger
    /// For streamable-HTTP servers: the hub's HTTP client.
    let httpClient: HTTPClient?

    /// A started process (or HTTP session) with its MCP client.
    final class Session: Sendable {
        let connection: any MCPConnection
        let client: Client
        let generation: Int
        init(connection: any MCPConnection, client: Client, generation: Int) {
            self.connection = connection
            self.client = client
            self.generation = generation
        }
    }

    public struct ToolInfo: Sendable {
        public var name: String
        public var description: String?
        public var inputSchema: JSONValue
    }

    private struct State {
        var session: Session?
        var starting: Task<Session, Error>?
        var generation = 0
        var tools: [ToolInfo]?
        var lastFailure: String?
        /// When it recently failed to start or exited on its own (not killed by agnod after a cancel): a server
        /// that keeps dying is not restarted in a loop.
        var recentFailures: [ContinuousClock.Instant] = []
        var stopped = false
    }

    private let state = Mutex(State())
    /// For tests: calls sent, and what happened after each abandoned call.
    private let sent = Mutex(0)
    private let sentSignal: AsyncStream<Void>.Continuation
    private let sentStream: AsyncStream<Void>
    enum AbandonOutcome: Sendable, Equatable { case kept, killed }
    private let abandonSignal: AsyncStream<AbandonOutcome>.Continuation
    private let abandonStream: AsyncStream<AbandonOutcome>

    public init(config: MCPServerConfig, logger: Logger, httpClient: HTTPClient? = nil) {
        self.config = config
        self.logger = logger
        self.httpClient = httpClient
        (sentStream, sentSignal) = AsyncStream<Void>.makeStream()
        (abandonStream, abandonSignal) = AsyncStream<AbandonOutcome>.makeStream()
    }

    /// Waits until `count` calls have been sent to the server.
    func waitForCallsInFlight(_ count: Int) async {
        if sent.withLock({ $0 }) >= count { return }
        for await _ in sentStream where sent.withLock({ $0 }) >= count { return }
    }

    /// What happened after the next abandoned (cancelled or timed-out) call: the server was kept or killed.
    func nextAbandonOutcome() async -> AbandonOutcome? {
        var iterator = abandonStream.makeAsyncIterator()
        return await iterator.next()
    }

    /// The tools listed at the last start (nil before one succeeded).
    public var tools: [ToolInfo]? { state.withLock { $0.tools } }
    public var lastFailure: String? { state.withLock { $0.lastFailure } }
    /// The running process's pid (tests).
    public var pid: pid_t? { state.withLock { $0.session?.connection.pid } }
    public var generation: Int { state.withLock { $0.generation } }

    /// Starts the server and lists its tools. Throws (and remembers why) when it cannot.
    @discardableResult
    public func start() async throws -> [ToolInfo] {
        _ = try await session()
        return tools ?? []
    }

    /// The running session, starting one if there is none (one start at a time).
    func session() async throws -> Session {
        let task = try state.withLock { s throws -> Task<Session, Error> in
            if s.stopped { throw ToolError("MCP server '\(config.name)' is stopped") }
            if let session = s.session, session.connection.endReason == nil { return Task { session } }
            if let starting = s.starting { return starting }
            let now = ContinuousClock.now
            s.recentFailures = s.recentFailures.filter { now - $0 < .seconds(60) }
            if s.recentFailures.count >= 5 {
                throw ToolError("MCP server '\(config.name)' failed 5 times in the last minute (last: \(s.lastFailure ?? "no reason known")); not starting it again yet")
            }
            s.generation += 1
            let generation = s.generation
            let starting = Task { try await self.launch(generation: generation) }
            s.starting = starting
            return starting
        }
        return try await task.value
    }

    private func launch(generation: Int) async throws -> Session {
        do {
            let connection = try open()
            let session = try await withTimeout(seconds: config.startTimeout, what: "starting and listing its tools", onTimeout: { connection.kill() }) {
                try await self.connect(connection, generation: generation)
            }
            state.withLock { s in
                s.session = session
                s.starting = nil
                s.lastFailure = nil
            }
            logger.info("MCP server started", metadata: [
                "mcp_server": "\(config.name)", "pid": "\(session.connection.pid.map(String.init) ?? "-")",
                "tools": "\(tools?.map(\.name).joined(separator: ",") ?? "")",
                "generation": "\(generation)",
            ])
            return session
        } catch {
            let reason = (error as? ToolError)?.message ?? "\(error)"
            state.withLock { s in
                s.starting = nil
                s.lastFailure = reason
                s.recentFailures.append(.now)
            }
            logger.error("MCP server could not start", metadata: ["mcp_server": "\(config.name)", "error": "\(reason)"])
            throw ToolError("MCP server '\(config.name)' could not start: \(reason)")
        }
    }

    /// Starts the process, or prepares the HTTP session (opened by `initialize`).
    private func open() throws -> any MCPConnection {
        if config.url != nil {
            guard let httpClient else { throw ToolError("no HTTP client for streamable-HTTP servers") }
            return try HTTPConnection.open(config, client: httpClient)
        }
        return try ProcessConnection.open(config)
    }

    private func connect(_ connection: any MCPConnection, generation: Int) async throws -> Session {
        let client = Client(name: "agnod", version: "0.1.0")
        let session = Session(connection: connection, client: client, generation: generation)
        connection.onEnd { [weak self] reason in self?.ended(session, reason: reason) }
        do {
            _ = try await client.connect(transport: connection.transport)
            var listed: [ToolInfo] = []
            var cursor: String?
            repeat {
                let page = try await client.listTools(cursor: cursor)
                listed += page.tools.map { ToolInfo(name: $0.name, description: $0.description, inputSchema: ValueConversion.json($0.inputSchema)) }
                cursor = page.nextCursor
            } while cursor != nil && listed.count < 10_000
            state.withLock { $0.tools = listed }
            return session
        } catch {
            let endedFirst = connection.endReason != nil
            connection.kill()
            await client.disconnect()
            if connection.pid != nil && (endedFirst || connection.endReason != nil || error is CancellationError) {
                throw ToolError("\(connection.subject) \(await connection.ended()) before answering")
            }
            if endedFirst, let reason = connection.endReason { throw ToolError("\(connection.subject) \(reason) before answering") }
            throw error
        }
    }

    /// The process exited (or the server ended the HTTP session): drop the session (the next call starts a new one).
    private func ended(_ session: Session, reason: String) {
        let wasCurrent = state.withLock { s -> Bool in
            guard s.session === session else { return false }  // not current: agnod retired it (and killed it)
            s.session = nil
            s.lastFailure = "\(session.connection.subject) \(reason)"
            if session.connection.countsAsFailure(reason) { s.recentFailures.append(.now) }
            return true
        }
        Task { await session.client.disconnect() }
        if wasCurrent {
            logger.warning("MCP server \(reason); \(session.connection.afterEnd)", metadata: [
                "mcp_server": "\(config.name)", "pid": "\(session.connection.pid.map(String.init) ?? "-")", "reason": "\(reason)",
            ])
        }
    }

    /// Calls one of its tools. The text of the result; an error result or a failure is a `ToolError`.
    public func call(tool: String, arguments: JSONValue) async throws -> String {
        let args: [String: Value]
        do {
            args = try ValueConversion.arguments(arguments)
        } catch {
            throw ToolError("the arguments for \(config.name).\(tool) are not a JSON object")
        }
        do {
            return try await call(tool: tool, args, in: try await session())
        } catch let notRun as NotRun {
            // The server no longer knew the session and did not run the call: once more, on a new session.
            logger.info("MCP server ended its session; calling again on a new one", metadata: ["mcp_server": "\(config.name)", "reason": "\(notRun.reason)"])
            do {
                return try await call(tool: tool, args, in: try await session())
            } catch let again as NotRun {
                throw ToolError("MCP server '\(config.name)': \(again.reason)")
            }
        }
    }

    /// A call the server did not run because its session had ended (HTTP): it may be sent again.
    struct NotRun: Error {
        var reason: String
    }

    private func call(tool: String, _ args: [String: Value], in session: Session) async throws -> String {
        let connection = session.connection
        let context: RequestContext<CallTool.Result>
        do {
            context = try await session.client.callTool(name: tool, arguments: args)
        } catch where connection.pid == nil && connection.endReason != nil {
            throw NotRun(reason: "\(connection.subject) \(connection.endReason ?? "ended")")
        }
        sent.withLock { $0 += 1 }
        sentSignal.yield()
        let outcome = FirstResult<CallTool.Result>()  // the answer, the timeout, the exit or the cancel
        let result: CallTool.Result
        do {
            result = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<CallTool.Result, Error>) in
                    outcome.set(continuation)
                    let waiter = Task { outcome.finish(await Result(catching: { try await context.value })) }
                    let timer = Task {
                        try await Task.sleep(for: .milliseconds(Int64(config.callTimeout * 1000)))
                        outcome.finish(.failure(CallTimedOut()))
                    }
                    outcome.onFinish { waiter.cancel(); timer.cancel() }
                    if connection.endFailsCalls {
                        connection.onEnd { reason in
                            outcome.finish(.failure(ToolError("MCP server '\(self.config.name)' \(reason) during the call; \(connection.afterEnd)")))
                        }
                    }
                }
            } onCancel: {
                outcome.finish(.failure(CancellationError()))
            }
        } catch is CancellationError {
            abandon(context.requestID, in: session, reason: "the run was cancelled")
            throw CancellationError()
        } catch is CallTimedOut {
            abandon(context.requestID, in: session, reason: "timed out")
            throw ToolError("\(config.name).\(tool) did not answer within \(secondsText(config.callTimeout)) s (call_timeout)")
        } catch {
            if await connection.wasRefused(context.requestID) {
                throw NotRun(reason: "\(connection.subject) \(connection.endReason ?? "ended")")
            }
            if let error = error as? ToolError { throw error }
            // The session's end can fail the request before the reaper reports the exit: say what happened.
            if let reason = connection.endReason {
                let what = connection.pid == nil ? ": \(connection.subject) \(reason)" : " \(reason)"
                throw ToolError("MCP server '\(config.name)'\(what) during the call; \(connection.afterEnd)")
            }
            throw ToolError("\(config.name).\(tool) failed: \(Self.describe(error))")
        }
        let text = Self.text(of: result.content)
        if result.isError == true {
            throw ToolError(text.isEmpty ? "\(config.name).\(tool) reported an error" : text)
        }
        if text.isEmpty, let structured = result.structuredContent {
            return ValueConversion.json(structured).encodedString
        }
        return text
    }

    struct CallTimedOut: Error {}

    /// Behind a call we stopped waiting for: tell the server, and if it does not answer a ping within the
    /// grace time, kill it (it restarts on the next call).
    private func abandon(_ requestID: ID, in session: Session, reason: String) {
        let grace = config.cancelGrace, name = config.name, logger = self.logger, signal = abandonSignal
        Task.detached { [weak self] in
            // The grace covers telling it too: over HTTP, a server stuck in the call does not even take the notice.
            let alive = await (try? withTimeout(seconds: grace, what: "cancel and ping") { () async throws -> Bool in
                try? await session.client.cancelRequest(requestID, reason: reason)
                try await session.client.ping()
                return true
            }) == true
            if !alive && session.connection.endReason == nil {
                let what = session.connection.pid == nil ? "dropping its session" : "killing it"
                logger.warning("MCP server did not answer within cancel_grace after a cancelled call; \(what)", metadata: [
                    "mcp_server": "\(name)", "pid": "\(session.connection.pid.map(String.init) ?? "-")", "grace_s": "\(grace)",
                ])
                // The next call must not pick this session up while it dies.
                self?.state.withLock { s in if s.session === session { s.session = nil } }
                session.connection.kill()
            }
            signal.yield(alive ? .kept : .killed)
        }
    }

    static func text(of content: [MCP.Tool.Content]) -> String {
        content.map { item -> String in
            switch item {
            case .text(let text, _, _): return text
            case .image(_, let mimeType, _, _): return "[image \(mimeType)]"
            case .audio(_, let mimeType, _, _): return "[audio \(mimeType)]"
            case .resource(let resource, _, _): return resource.text ?? "[resource \(resource.uri)]"
            case .resourceLink(let uri, let name, _, _, _, _): return "[\(name): \(uri)]"
            }
        }.joined(separator: "\n")
    }

    /// Stops the process (SIGTERM, then SIGKILL after a second); no call starts it again.
    public func stop() async {
        let session = state.withLock { s -> Session? in
            s.stopped = true
            s.starting?.cancel()
            defer { s.session = nil }
            return s.session
        }
        guard let session else { return }
        await session.client.disconnect()
        await session.connection.stop(grace: .seconds(1))
    }

    /// An MCP error as its message ("Internal error: …" as the SDK words it).
    static func describe(_ error: any Error) -> String {
        (error as? MCPError)?.errorDescription ?? String(describing: error)
    }
}

extension Result where Failure == Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

/// Runs `body`, failing with a `ToolError` if it takes longer than `seconds`. Returns at the deadline even
/// if `body` does not react to cancellation (it is cancelled and left to end on its own; `onTimeout` can
/// make sure it does, e.g. by killing the process it waits for).
func withTimeout<T: Sendable>(seconds: Double, what: String, onTimeout: @escaping @Sendable () -> Void = {},
                              _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let first = FirstResult<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            first.set(continuation)
            let work = Task { first.finish(await Result(catching: body)) }
            let timer = Task {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                if first.finish(.failure(ToolError("\(what) took longer than \(secondsText(seconds)) s"))) {
                    work.cancel()
                    onTimeout()
                }
            }
            first.onFinish { timer.cancel() }
        }
    } onCancel: {
        first.finish(.failure(CancellationError()))
    }
}

/// The first result handed in, delivered to one continuation.
final class FirstResult<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, Error>?
        var early: Result<T, Error>?
        var done = false
        var onFinish: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    func set(_ continuation: CheckedContinuation<T, Error>) {
        let early = state.withLock { s -> Result<T, Error>? in
            if let early = s.early { return early }
            s.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ body: @escaping @Sendable () -> Void) {
        let already = state.withLock { s -> Bool in
            if s.done { return true }
            s.onFinish.append(body)
            return false
        }
        if already { body() }
    }

    /// True when this was the first result.
    @discardableResult
    func finish(_ result: Result<T, Error>) -> Bool {
        let (first, continuation, hooks) = state.withLock { s -> (Bool, CheckedContinuation<T, Error>?, [@Sendable () -> Void]) in
            guard !s.done else { return (false, nil, []) }
            s.done = true
            if s.continuation == nil { s.early = result }
            defer { s.continuation = nil; s.onFinish = [] }
            return (true, s.continuation, s.onFinish)
        }
        continuation?.resume(with: result)
        for hook in hooks { hook() }
        return first
    }
}
