import NIOCore
import NIOPosix
import Testing

@testable import AgnoCore

/// The backpressure hand-off between async-http-client's event loop (the producer of body parts) and the run's
/// task (their consumer).
@Suite struct StreamingResponseTests {
    /// `yield` said stop, and the consumer took the buffered parts and asked for more before the producer began to
    /// wait: that request must not be lost (the stream then hung until its read timeout; seen in the benchmark).
    @Test func aRequestForMoreBeforeTheProducerWaitsIsNotLost() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let demand = StreamingResponse.Demand()
        demand.produceMore()
        let now = loop.makePromise(of: Void.self)
        #expect(demand.wait(now), "the producer must go on at once")
        now.succeed()  // (what the producer does when it may go on)
        // Once used, the request is spent: the next stop waits, until the consumer asks again.
        let later = loop.makePromise(of: Void.self)
        #expect(!demand.wait(later))
        demand.produceMore()
        try await later.futureResult.get()
    }

    /// A consumer that is gone lets the producer go on (the request is being cancelled).
    @Test func aConsumerThatIsGoneNeverLeavesTheProducerWaiting() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let demand = StreamingResponse.Demand()
        let waiting = loop.makePromise(of: Void.self)
        #expect(!demand.wait(waiting))
        demand.didTerminate()
        try await waiting.futureResult.get()
        let after = loop.makePromise(of: Void.self)
        #expect(demand.wait(after))
        after.succeed()
    }
}
