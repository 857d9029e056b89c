import AgnoProtocol
import Foundation

/// Fan-out: readers replay from the store, then follow live on a bounded subscription.
extension RunRecord {
    /// What a reader gets next.
    public enum ReadResult: Sendable {
        /// Stored events after the requested seq, as the store read them.
        case events(EventBlock)
        /// Caught up with a live run: new events arrive on this subscription, which ends when the run ends or the reader falls behind.
        case live(Subscription)
        /// Caught up with a settled run.
        case ended(RunSummary)
        /// The store refused the run's events: nothing after `committedSeq` will come in this process.
        case failed(String)
        /// The store could not be read (the run goes on): the reader may try again from the same seq.
        case unreadable(String)
    }

    /// Events after `afterSeq` from the store, or, once caught up, a live subscription with a bounded buffer.
    public func read(afterSeq: Int, limit: Int, bufferSize: Int) async -> ReadResult {
        while true {
            let committed = state.withLock { $0.committedSeq }
            if afterSeq < committed {
                // Everything up to `committed` is stored: read it without holding up the run. Not beyond it: the
                // store may already hold a commit whose events are not published yet, and a reader that read
                // them there and then subscribed would get them a second time from the subscription.
                // A failed read must not fall through to the subscription: that would skip the unread events.
                let batch: EventBlock
                do {
                    batch = try await store.eventBlock(runID: runID, afterSeq: afterSeq, limit: min(limit, committed - afterSeq))
                } catch {
                    return .unreadable("\(error)")
                }
                if !batch.isEmpty { return .events(batch) }
            }
            let result = state.withLock { s -> ReadResult? in
                // More was stored since: read that from the store first.
                if s.committedSeq > committed && afterSeq < s.committedSeq { return nil }
                if let failure = s.storeFailure { return .failed(failure) }
                if s.settled { return .ended(summary(of: s)) }
                let subscription = Subscription(capacity: bufferSize)
                s.subscribers[s.nextSubscriber] = subscription
                s.nextSubscriber += 1
                return .live(subscription)
            }
            if let result { return result }
        }
    }
}
