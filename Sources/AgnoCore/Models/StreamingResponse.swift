import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Synchronization

/// One streamed HTTP answer through async-http-client's delegate API: the client works on its event loop, and
/// the run's task only awaits the head and then iterates the body, an async sequence with backpressure (the
/// socket is not read while the body waits to be consumed). Unlike `HTTPClient.execute(_:timeout:)`, none of
/// the client's own async functions run in the run's task: their frames (~10 KB per call) would stay allocated
/// in that task for as long as the run lasts, since a task keeps its deepest stack (10,000 stalled runs: ~100 MB).
final class StreamingResponse: HTTPClientResponseDelegate, Sendable {
    typealias Response = Void
    typealias Body = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, Demand
    >

    /// The body's consumer: asks for more (the client reads on) or is gone (the request is cancelled).
    final class Demand: NIOAsyncSequenceProducerDelegate {
        struct State {
            var waiting: EventLoopPromise<Void>?
            /// The consumer asked for more before the producer started to wait (`yield` said stop, and the
            /// consumer took the buffered parts at once): the producer must not wait then.
            var asked = false
            var task: HTTPClient.Task<Void>?
            var terminated = false
        }
        let state = Mutex(State())

        func produceMore() {
            state.withLock { s -> EventLoopPromise<Void>? in
                guard let waiting = s.waiting else {
                    s.asked = true
                    return nil
                }
                s.waiting = nil
                return waiting
            }?.succeed()
        }

        /// Whether the producer may go on at once; otherwise `more` is completed when it may.
        func wait(_ more: EventLoopPromise<Void>) -> Bool {
            state.withLock { s in
                if s.terminated || s.asked {
                    s.asked = false
                    return true
                }
                s.waiting = more
                return false
            }
        }

        func didTerminate() {
            let (waiting, task) = state.withLock { s in
                s.terminated = true
                defer { s.waiting = nil }
                return (s.waiting, s.task)
            }
            waiting?.succeed()
            task?.cancel()
        }
    }

    private struct State {
        var headDone = false
        var deadlineHit = false
        /// Cancels the request when the head is late.
        var timer: Scheduled<Void>?
    }

    private let headPromise: EventLoopPromise<HTTPResponseHead>
    private let source: Body.Source
    private let demand = Demand()
    private let state = Mutex(State())
    /// The answer's body; iterate it once.
    let body: Body

    init(eventLoop: any EventLoop) {
        headPromise = eventLoop.makePromise(of: HTTPResponseHead.self)
        let made = Body.makeSequence(
            backPressureStrategy: .init(lowWatermark: 32, highWatermark: 128), finishOnDeinit: false, delegate: demand)
        source = made.source
        body = made.sequence
    }

    /// Starts `request` on `client`; the answer's head is then `head()`, the body `body`. `deadline` passing
    /// before the head is back cancels the request (`HTTPClientError.deadlineExceeded`), as
    /// `HTTPClient.execute(_:timeout:)` does. Synchronous: the request (a large value) is never a slot of the
    /// calling task's frames.
    @inline(never)
    static func start(_ request: HTTPClient.Request, on client: HTTPClient, deadline: NIODeadline) -> StreamingResponse {
        let eventLoop = client.eventLoopGroup.any()
        let response = StreamingResponse(eventLoop: eventLoop)
        let task = client.execute(request: request, delegate: response, eventLoop: .delegate(on: eventLoop), deadline: nil)
        let cancelled = response.demand.state.withLock { s in
            s.task = task
            return s.terminated
        }
        if cancelled { task.cancel() }
        let timer = eventLoop.scheduleTask(deadline: deadline) {
            response.state.withLock { $0.deadlineHit = true }
            task.cancel()
        }
        response.state.withLock { $0.timer = timer }
        return response
    }

    /// The answer's head, once it is back. A cancel of the calling task cancels the request.
    func head() async throws -> HTTPResponseHead {
        defer { state.withLock { $0.timer }?.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await headPromise.futureResult.get()
            } onCancel: {
                demand.state.withLock { $0.task }?.cancel()
            }
        } catch {
            if state.withLock({ $0.deadlineHit }) { throw HTTPClientError.deadlineExceeded }
            throw error
        }
    }

    /// Up to `limit` bytes of the body (an error answer's), then the request is let go.
    func collect(upTo limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var part in body {
            collected.writeBuffer(&part)
            if collected.readableBytes >= limit { break }
        }
        return collected
    }

    // MARK: HTTPClientResponseDelegate (on the request's event loop)

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.headDone = true }
        headPromise.succeed(head)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        switch source.yield(buffer) {
        case .produceMore, .dropped:
            return task.eventLoop.makeSucceededVoidFuture()
        case .stopProducing:
            // The client reads on once the consumer asks for more (or is gone).
            let more = task.eventLoop.makePromise(of: Void.self)
            if demand.wait(more) { more.succeed() }
            return more.futureResult
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        source.finish()
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        let headDone = state.withLock { s in
            defer { s.headDone = true }
            return s.headDone
        }
        if !headDone { headPromise.fail(error) }
        source.finish(error)
    }
}
