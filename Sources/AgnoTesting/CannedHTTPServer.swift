import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP server answering each request as `respond` says: for tests of tools that call out
/// (search backends, fetch targets). Records every request and notices connections the client closed while
/// it was still waiting for an answer. Runs on NIO event loops only.
public final class CannedHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var uri: String
        public var headers: [(String, String)]
        public var body: String

        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    public enum Response: Sendable {
        case answer(status: Int = 200, contentType: String, body: String)
        /// Never answers (until the client goes away).
        case hang
    }

    let respond: @Sendable (Request) -> Response
    private let channel: Mutex<Channel?> = Mutex(nil)
    let state = Mutex(State())
    private let abandoned: AsyncStream<Void>
    let abandonSignal: AsyncStream<Void>.Continuation
    private let arrivals: AsyncStream<Void>
    let arrivalSignal: AsyncStream<Void>.Continuation

    struct State {
        var requests: [Request] = []
        var abandoned = 0
    }

    public init(_ respond: @escaping @Sendable (Request) -> Response) {
        self.respond = respond
        (abandoned, abandonSignal) = AsyncStream<Void>.makeStream()
        (arrivals, arrivalSignal) = AsyncStream<Void>.makeStream()
    }

    /// Waits until `count` requests have arrived.
    public func waitForRequests(_ count: Int) async {
        if requests.count >= count { return }
        for await _ in arrivals where requests.count >= count { return }
    }

    public var requests: [Request] { state.withLock { $0.requests } }
    public var port: Int { channel.withLock { $0?.localAddress?.port ?? 0 } }
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func start() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(CannedHTTPHandler(server: self))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        channel.withLock { $0 = server }
    }

    public func stop() async {
        try? await channel.withLock { $0 }?.close()
    }

    /// Waits until clients have gone away from `count` requests that were still unanswered.
    public func waitForAbandoned(_ count: Int) async {
        if state.withLock({ $0.abandoned }) >= count { return }
        for await _ in abandoned where state.withLock({ $0.abandoned }) >= count { return }
    }
}

final class CannedHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: CannedHTTPServer
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var waiting = false

    init(server: CannedHTTPServer) { self.server = server }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h):
            head = h
            body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end:
            guard let head else { return }
            let request = CannedHTTPServer.Request(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                                                   body: String(buffer: body))
            server.state.withLock { $0.requests.append(request) }
            server.arrivalSignal.yield()
            switch server.respond(request) {
            case .hang:
                waiting = true
            case .answer(let status, let contentType, let text):
                var response = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
                response.headers.add(name: "Content-Type", value: contentType)
                response.headers.add(name: "Content-Length", value: String(text.utf8.count))
                context.write(wrapOutboundOut(.head(response)), promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if waiting {
            waiting = false
            server.state.withLock { $0.abandoned += 1 }
            server.abandonSignal.yield()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
