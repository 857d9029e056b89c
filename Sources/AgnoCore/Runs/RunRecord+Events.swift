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
            guard !s.status.isTerminal, s.status != .paused else { return s.lastSeq }
            return enqueue(json, summary: nil, settling: false, in: &s)
        }
    }

    /// Queues the event that ends a tool call together with the call's whole record (same commit, same seq).
    @discardableResult
    public func emit(_ event: JSONValue, toolCall: ToolCallRecord) -> Int {
        let json = event.encoded
        return state.withLock { s in
            guard !s.status.isTerminal, s.status != .paused else { return s.lastSeq }
            return enqueue(json, toolCall: toolCall, summary: nil, settling: false, in: &s)
        }
    }

    /// Queues the event that reports a node done together with the node's result: the run's position
    /// advances in the same commit as the event.
    @discardableResult
    public func emit(_ event: JSONValue, completing result: NodeResult) -> Int {
        let json = event.encoded
        return state.withLock { s in
            guard !s.status.isTerminal, s.status != .paused else { return s.lastSeq }
            return enqueue(json, nodeResult: result, summary: nil, settling: false, in: &s)
        }
    }

    /// Advances the run's position without an event of its own (a failed node that says `on_error: skip`:
    /// its `StepError` is stored already); the result is keyed by the last seq handed out.
    public func advance(_ result: NodeResult) {
        state.withLock { s in
            guard !s.status.isTerminal, s.status != .paused else { return }
            var result = result
            result.seq = s.lastSeq
            writer.submit(runID: runID, events: [], nodeResults: [result], summary: nil)
        }
    }

    func enqueue(
        _ json: [UInt8], toolCall: ToolCallRecord? = nil, nodeResult: NodeResult? = nil, summary: RunSummary?, settling: Bool,
        in s: inout State
    ) -> Int {
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
            committed(event, failure: failure, settling: settling)
        }
        return event.seq
    }

    /// The writer stored `event` (or gave up): publish it, and settle the run after its final event.
    func committed(_ event: EncodedEvent, failure: (any Error)?, settling: Bool) {
        let settled = state.withLock { s -> (@Sendable (RunRecord) -> Void)? in
            if let failure, s.storeFailure == nil {
                // Readers still get the event (a run must not hang); the run stops, and its status says why.
                s.storeFailure = "the run store failed: \(failure)"
                if s.cancelReason == nil { s.cancelReason = s.storeFailure }
                s.task?.cancel()
            }
            s.committedSeq = event.seq
            for (id, subscription) in s.subscribers where !subscription.offer(event) {
                // The reader left, or fell behind its buffer: it catches up from the store.
                s.subscribers[id] = nil
            }
            guard settling else { return nil }
            s.settled = true
            for subscription in s.subscribers.values { subscription.end() }
            s.subscribers.removeAll()
            return s.onSettled
        }
        settled?(self)
    }
}
