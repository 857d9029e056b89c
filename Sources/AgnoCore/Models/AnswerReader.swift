import NIOCore

/// What reading one streamed answer keeps: the SSE parser, the turn so far, and its times. An object, so that
/// the frame of the async function reading the answer (kept in the run's task for as long as the model
/// streams) holds one reference, and the per-read work is synchronous.
final class AnswerReader {
    private var parser = SSEParser()
    private var accumulator = ChatStreamAccumulator()
    private let started: ContinuousClock.Instant
    private var firstPiece: ContinuousClock.Instant?
    /// Time spent waiting for the store (backpressure): agnod's, not the model's.
    private var paced = Duration.zero
    private var waitStarted: ContinuousClock.Instant?

    init(started: ContinuousClock.Instant) {
        self.started = started
    }

    /// One network read of the body; true when the answer is complete (`[DONE]`).
    @inline(never)
    func feed(_ buffer: ByteBuffer, onContent: (String) -> Void) throws -> Bool {
        try parser.feed(buffer.readableBytesView) { data in
            if let delta = try accumulator.take(data) { onContent(delta) }
        }
        if firstPiece == nil && accumulator.pieces > 0 { firstPiece = .now - paced }
        if accumulator.done { return true }
        waitStarted = .now
        return false
    }

    /// The caller's backpressure wait after a read ended.
    func resumed() {
        if let waitStarted { paced += .now - waitStarted }
        waitStarted = nil
    }

    /// The body ended: whatever the parser still holds.
    @inline(never)
    func finish(onContent: (String) -> Void) throws {
        try parser.finish { data in
            if let delta = try accumulator.take(data) { onContent(delta) }
        }
    }

    /// Whether the answer said it was complete (a finish reason or `[DONE]`).
    var complete: Bool { accumulator.done || accumulator.finishReason != nil }

    /// The whole turn, with its times and, at `price`, its cost.
    @inline(never)
    func turn(price: ModelPrice?) -> ChatTurn {
        var turn = accumulator.turn()
        turn.metrics.timeToFirstToken = firstPiece.map { ($0 - started).inSeconds }
        turn.metrics.duration = (.now - started - paced).inSeconds
        turn.metrics.cost = price?.cost(of: turn.metrics)
        return turn
    }
}
