import AgnoProtocol
import Foundation

/// Write, then publish: every event gets its seq under the run's lock and goes to the store writer; readers
/// get it from the writer's completion, once it is stored.
extension RunRecord {
    /// Queues one event for storing; subscribers get it once it is stored. Returns its seq.
    @discardableResult
    public func emit(_ event: JSONValue) -> Int {
        let json = event.encoded
        return state.withLock { s in
            guard s.takesEvents else { return s.lastSeq }
            return enqueue(json, summary: nil, settling: false, in: &s)
        }
    }

    /// Queues the event of a streamed piece (`RunContent`) without handing it to the writer yet: the events of
    /// one network read of the model's stream go together at `flushStreamed()` (or before any other event), as
    /// one submission, one commit and one write to each reader, instead of one each.
    /// `json` is the event's compact encoding (no newline).
    public func emitStreamed(encoded json: [UInt8]) {
        state.withLock { s in
            guard s.takesEvents else { return }
            s.lastSeq += 1
            s.streamed.append(EncodedEvent(seq: s.lastSeq, json: json))
        }
    }

    /// Hands the streamed events queued so far to the writer.
    public func flushStreamed() {
        state.withLock { s in submitStreamed(in: &s) }
    }

    /// Streamed events go to the writer before anything submitted after them (seqs stay in order).
    func submitStreamed(in s: inout State) {
        guard !s.streamed.isEmpty else { return }
        let events = s.streamed
        s.streamed = []
        writer.submit(runID: runID, events: events, summary: nil) { [self] failure in
            committed(events, failure: failure, settling: false)
        }
    }

    /// Queues the event that ends a tool call together with the call's whole record (same commit, same seq).
    @discardableResult
    public func emit(_ event: JSONValue, toolCall: ToolCallRecord) -> Int {
        let json = event.encoded
        return state.withLock { s in
            guard s.takesEvents else { return s.lastSeq }
            return enqueue(json, toolCall: toolCall, summary: nil, settling: false, in: &s)
        }
    }

    /// Queues the event that reports a node done together with the node's result: the run's position
    /// advances in the same commit as the event.
    @discardableResult
    public func emit(_ event: JSONValue, completing result: NodeResult) -> Int {
        let json = event.encoded
        return state.withLock { s in
            guard s.takesEvents else { return s.lastSeq }
            return enqueue(json, nodeResult: result, summary: nil, settling: false, in: &s)
        }
    }

    /// Advances the run's position without an event of its own (a failed node that says `on_error: skip`:
    /// its `StepError` is stored already); the result is keyed by the last seq handed out.
    public func advance(_ result: NodeResult) {
        state.withLock { s in
            guard s.takesEvents else { return }
            submitStreamed(in: &s)
            var result = result
            result.seq = s.lastSeq
            writer.submit(runID: runID, events: [], nodeResults: [result], summary: nil)
        }
    }

    /// Returns once this run has fewer than the writer's `maxUnstoredPerRun` events waiting to be stored
    /// (at once, usually). The run's producer calls it after each event it streams; a cancel ends the wait.
    public func roomToWrite() async {
        let limit = writer.maxUnstoredPerRun
        guard state.withLock({ $0.lastSeq - $0.committedSeq >= limit && !$0.settled && $0.storeFailure == nil }) else { return }
        let id = state.withLock { s -> Int in
            s.nextRoomWaiter += 1
            return s.nextRoomWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.lastSeq - s.committedSeq < limit || s.settled || s.storeFailure != nil || Task.isCancelled { return true }
                    s.roomWaiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.roomWaiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Events handed to the writer and not yet stored.
    public var unstoredCount: Int { state.withLock { $0.lastSeq - $0.committedSeq } }

    func enqueue(
        _ json: [UInt8], toolCall: ToolCallRecord? = nil, nodeResult: NodeResult? = nil, summary: RunSummary?, settling: Bool,
        in s: inout State
    ) -> Int {
        submitStreamed(in: &s)
        s.lastSeq += 1
        let event = EncodedEvent(seq: s.lastSeq, json: json)
        var calls: [ToolCallRecord] = []
        if var toolCall {
            toolCall.seq = event.seq
            calls.append(toolCall)
        }
        var results: [NodeResult] = []
        if var nodeResult {
            nodeResult.seq = event.seq
            results.append(nodeResult)
        }
        writer.submit(runID: runID, events: [event], toolCalls: calls, nodeResults: results, summary: summary) { [self] failure in
            committed([event], failure: failure, settling: settling)
        }
        return event.seq
    }

    /// The writer stored `events` (or gave up): publish them, and settle the run after its final event.
    func committed(_ events: [EncodedEvent], failure: (any Error)?, settling: Bool) {
        let settled = state.withLock { s -> (@Sendable (RunRecord) -> Void)? in
            if let failure {
                if s.storeFailure == nil {
                    // Readers get nothing that is not stored (a seq must mean the same on every replay): their
                    // streams end with the error, the run stops here, and it goes on after a restart from
                    // what is stored.
                    s.storeFailure = "the run store failed: \(failure)"
                    if s.cancelReason == nil { s.cancelReason = s.storeFailure }
                    s.task?.cancel()
                    for subscription in s.subscribers.values { subscription.end() }
                    s.subscribers.removeAll()
                    for waiter in s.roomWaiters.values { waiter.resume() }
                    s.roomWaiters.removeAll()
                }
                guard settling else { return nil }
                s.settled = true
                return s.onSettled
            }
            s.committedSeq = events.last?.seq ?? s.committedSeq
            if !s.roomWaiters.isEmpty && (s.lastSeq - s.committedSeq <= writer.maxUnstoredPerRun / 2 || settling) {
                for waiter in s.roomWaiters.values { waiter.resume() }
                s.roomWaiters.removeAll()
            }
            for (id, subscription) in s.subscribers where !subscription.offer(events) {
                // The reader left, or fell behind its buffer: it catches up from the store.
                s.subscribers[id] = nil
            }
            guard settling else { return nil }
            s.settled = true
            let final = s.subscribers.isEmpty ? nil : summary(of: s)
            for subscription in s.subscribers.values { subscription.end(settled: final) }
            s.subscribers.removeAll()
            return s.onSettled
        }
        settled?(self)
    }
}
