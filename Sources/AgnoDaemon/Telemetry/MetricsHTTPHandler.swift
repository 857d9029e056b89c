import NIOCore
import NIOHTTP1

/// Answers `GET /metrics` (and `/`) with the metrics, in OpenMetrics 1.0 when the `Accept` header asks for it
/// (Prometheus does), else the Prometheus text format; any other path is 404, any other method 405.
final class MetricsHTTPHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let render: @Sendable (_ openMetrics: Bool) -> (contentType: String, text: String)?

    init(render: @escaping @Sendable (_ openMetrics: Bool) -> (contentType: String, text: String)?) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, type, body): (HTTPResponseStatus, String, String)
        if head.method != .GET && head.method != .HEAD {
            (status, type, body) = (.methodNotAllowed, "text/plain", "only GET\n")
        } else if path != "/metrics" && path != "/" {
            (status, type, body) = (.notFound, "text/plain", "the metrics are at /metrics\n")
        } else if let metrics = render(OpenMetricsText.isWanted(accept: head.headers.first(name: "Accept"))) {
            (status, type, body) = (.ok, metrics.contentType, metrics.text)
        } else {
            (status, type, body) = (.serviceUnavailable, "text/plain", "metrics are off\n")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD { context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in context.close(promise: nil) }
    }
}
