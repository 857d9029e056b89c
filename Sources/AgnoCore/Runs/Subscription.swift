import AgnoProtocol
import Synchronization

/// A live reader's bounded buffer of a run's events. The run's publisher offers each event; the reader takes
/// everything buffered at once, so a busy reader sends events in batches (one write for many frames).
/// When the buffer is full the subscription ends, and the reader catches up from the store instead:
/// a slow reader never holds up the run.
public final class Subscription: Sendable {
    private struct State {
        var buffer: [EncodedEvent] = []
        var waiter: CheckedContinuation<Void, Never>?
        var ended = false
        var settled: RunSummary?
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds events; false when the subscription has ended (the reader left or fell behind), so the publisher
    /// drops it.
    func offer(_ events: [EncodedEvent]) -> Bool {
        let (accepted, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !s.ended else { return (false, nil) }
            if s.buffer.count + events.count > capacity {
                s.ended = true
            } else {
                s.buffer.append(contentsOf: events)
            }
            defer { s.waiter = nil }
            return (!s.ended, s.waiter)
        }
        waiter?.resume()
        return accepted
    }

    /// The run's final summary, once the subscription ended because the run settled with every event offered
    /// (not when the reader fell behind): a reader that drained it has everything and can end its stream without
    /// reading the store again.
    public var settledSummary: RunSummary? { state.withLock { $0.ended ? $0.settled : nil } }

    /// No more events will come (the run ended, with `summary` when it settled); the reader gets what is
    /// buffered, then nil.
    func end(settled summary: RunSummary? = nil) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if !s.ended { s.settled = summary }
            s.ended = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Everything buffered, waiting for at least one event; nil once ended and drained, or when the task is cancelled.
    public func next() async -> [EncodedEvent]? {
        while true {
            let (batch, ended) = state.withLock { s -> ([EncodedEvent], Bool) in
                defer { s.buffer.removeAll(keepingCapacity: true) }
                return (s.buffer, s.ended)
            }
            if !batch.isEmpty { return batch }
            if ended || Task.isCancelled { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { s -> Bool in
                        if !s.buffer.isEmpty || s.ended { return true }
                        s.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.end()
            }
        }
    }
}
