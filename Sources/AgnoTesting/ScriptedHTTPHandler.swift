import AgnoProtocol
import Foundation
import NIOCore
import NIOHTTP1

/// Answers one connection's chat-completions requests as the server's script says, on the event loop.
final class ScriptedHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let server: ScriptedModelServer
    private var body = ByteBuffer()
    /// Whether a streamed answer is under way (a close now is the client leaving early).
    private var streaming = false

    /// Encoded content chunks by model and text: a connection's later answers reuse them (a benchmark's
    /// server then costs little more than its writes).
    private var contentChunks: [String: [String: String]] = [:]

    init(server: ScriptedModelServer) { self.server = server }

    private func contentChunk(_ text: String, model: String) -> String {
        if let known = contentChunks[model]?[text] { return known }
        let chunk = ScriptedModelServer.chunk([("content", .string(text))], model: model)
        if contentChunks[model, default: [:]].count < 1024 { contentChunks[model, default: [:]][text] = chunk }
        return chunk
    }

    /// What to do once the chunks are sent.
    private enum Ending { case done, stall, close }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: body.clear()
        case .body(var chunk): body.writeBuffer(&chunk)
        case .end:
            let json = (try? JSONValue.parse(body.readableBytesView)) ?? .null
            let records = server.recordsRequests
            let index = server.state.withLock { s in
                if records { s.requests.append(json) }
                s.requestCount += 1
                return s.requestCount - 1
            }
            answer(server.script(json, index), request: json, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if streaming {
            streaming = false
            server.state.withLock { $0.abortedByClient += 1 }
            server.abortSignal.yield()
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    private func answer(_ script: ModelScript, request: JSONValue, context: ChannelHandlerContext) {
        let model = request["model"]?.stringValue ?? "scripted"
        if case .httpError(let status, let text) = script {
            var head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status))
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: String(text.utf8.count))
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            server.state.withLock { $0.completed += 1 }
            return
        }
        var events = [ScriptedModelServer.chunk([("role", "assistant"), ("content", "")], model: model)]
        var delay = TimeAmount.zero
        var ending = Ending.done
        switch script {
        case .text(let chunks, let d):
            events += chunks.map { contentChunk($0, model: model) }
            events.append(ScriptedModelServer.chunk([], finish: "stop", model: model))
            delay = .nanoseconds(Int64(d.components.seconds) * 1_000_000_000 + d.components.attoseconds / 1_000_000_000)
        case .toolCall(let name, let arguments):
            let id = "call_\(UUID().uuidString.prefix(8))"
            events.append(
                ScriptedModelServer.chunk(
                    [
                        (
                            "tool_calls",
                            .array([
                                .object([
                                    ("index", 0), ("id", .string(id)), ("type", "function"),
                                    ("function", .object([("name", .string(name)), ("arguments", "")])),
                                ])
                            ])
                        )
                    ], model: model))
            var rest = Substring(arguments)
            while !rest.isEmpty {
                let part = rest.prefix(7)
                rest = rest.dropFirst(7)
                events.append(
                    ScriptedModelServer.chunk(
                        [("tool_calls", .array([.object([("index", 0), ("function", .object([("arguments", .string(String(part)))]))])]))],
                        model: model))
            }
            events.append(ScriptedModelServer.chunk([], finish: "tool_calls", model: model))
        case .stall(let chunks):
            events += chunks.map { ScriptedModelServer.chunk([("content", .string($0))], model: model) }
            ending = .stall
        case .broken(let chunks):
            events += chunks.map { ScriptedModelServer.chunk([("content", .string($0))], model: model) }
            ending = .close
        case .httpError: return
        }
        if ending == .done {
            if server.reportsUsage, request["stream_options"]?["include_usage"]?.boolValue == true {
                // As OpenAI does: a last chunk with no choices and the call's usage; a token per streamed piece.
                events.append(
                    ScriptedModelServer.usageChunk(
                        prompt: ScriptedModelServer.promptTokens(request), completion: events.count - 2, model: model))
            }
            events.append("data: [DONE]\n\n")
        }
        var head = HTTPResponseHead(version: .http1_1, status: .ok)
        head.headers.add(name: "Content-Type", value: "text/event-stream")
        head.headers.add(name: "Transfer-Encoding", value: "chunked")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        streaming = true
        send(events[...], delay: delay, ending: ending, context: context)
    }

    /// Writes the events in order, `delay` apart, then ends as asked.
    private func send(_ events: ArraySlice<String>, delay: TimeAmount, ending: Ending, context: ChannelHandlerContext) {
        var rest = events
        if delay == .zero, !rest.isEmpty {  // one HTTP chunk for them all: fewer writes, the client parses the same
            var all = context.channel.allocator.buffer(capacity: rest.reduce(0) { $0 + $1.utf8.count })
            for event in rest { all.writeString(event) }
            context.write(wrapOutboundOut(.body(.byteBuffer(all))), promise: nil)
            rest = []
        }
        while let event = rest.first {
            guard streaming else { return }
            rest = rest.dropFirst()
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: event)))), promise: nil)
            if delay > .zero && !rest.isEmpty {
                context.flush()
                let bound = NIOLoopBound((self, context, rest), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) {
                    let (handler, context, rest) = bound.value
                    handler.send(rest, delay: delay, ending: ending, context: context)
                }
                return
            }
        }
        guard streaming else { return }
        switch ending {
        case .done:
            streaming = false
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            server.state.withLock { $0.completed += 1 }
        case .stall:
            context.flush()  // and then nothing: the connection stays open until the client closes it
        case .close:
            streaming = false
            server.state.withLock { $0.completed += 1 }
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer())))).whenComplete { _ in bound.value.close(promise: nil) }
        }
    }
}
