import AgnoCore
import AgnoProtocol

/// Sends a run's events after a seq: stored ones in batches, then live ones as they happen, then `end`.
/// A reader that falls behind its live buffer goes back to the store, so it never holds up the run.
struct StreamPump {
    let exchange: Exchange
    static let batchSize = 512
    /// How long a reader of a run on another host waits for that host's "new events" before it reads the
    /// store anyway (a missed notification costs at most this much delay).
    static let remotePoll = Duration.milliseconds(500)

    /// `first`: what the reader already got from the run (a subscription made before `start` answered).
    func pump(runID: String, afterSeq: Int, first: RunRecord.ReadResult? = nil) async throws {
        let table = exchange.daemon.table
        let bufferSize = exchange.daemon.config.subscriberBuffer
        let prefix = ReplyEncoder.idPrefix(exchange.id)
        var last = afterSeq
        /// The seq after which the store was read again because the run's final state named later events.
        var recheckedAfter: Int?
        /// When the shared store's server stopped answering this reader, if it has.
        var outage: ContinuousClock.Instant?
        var next = first
        while true {
            try Task.checkCancellation()
            let live: RunRecord.ReadResult?
            if let given = next {
                live = given
                next = nil
            } else if let record = table.live(runID) {
                live = await record.read(afterSeq: last, limit: Self.batchSize, bufferSize: bufferSize)
            } else {
                live = nil
            }
            if let live {
                switch live {
                case .events(let batch):
                    try await exchange.writer.send(batch, idPrefix: prefix)
                    last = batch.lastSeq!
                case .live(let subscription):
                    while let batch = await subscription.next() {
                        // (A reader that asked for a seq beyond the stored ones skips what it did not ask for.)
                        let wanted = batch.first!.seq > last ? batch : batch.filter { $0.seq > last }
                        guard let newest = wanted.last else { continue }
                        try await exchange.writer.send(events: wanted, idPrefix: prefix)
                        last = newest.seq
                    }
                    // The run settled and every event came through the subscription: end without the store.
                    if let summary = subscription.settledSummary, summary.lastSeq <= last {
                        return try await exchange.end(summary)
                    }
                case .ended(let summary):
                    return try await exchange.end(summary)
                case .failed(let failure):
                    return try await exchange.fail(Self.stopped(runID, failure, after: last))
                case .unreadable(let error):
                    return try await exchange.fail(Self.unreadable(runID, error, after: last))
                }
            } else {
                // Not live: finished (or never seen by this process); the store has every event.
                let token = table.cluster?.eventToken(runID: runID)
                let batch: EventBlock
                do {
                    batch = try await table.store.eventBlock(runID: runID, afterSeq: last, limit: Self.batchSize)
                    outage = nil
                } catch {
                    // A shared store's server went away: wait for it (woken when the cluster reconnects) and read
                    // on from the same seq, within the time the writers retry too.
                    if let cluster = table.cluster, Self.mayWait(&outage) {
                        await cluster.waitForEvents(runID: runID, since: token, timeout: Self.remotePoll)
                        continue
                    }
                    // The store could not answer: not "no such run", and not the end of the stream either.
                    return try await exchange.fail(Self.unreadable(runID, "\(error)", after: last))
                }
                if batch.isEmpty {
                    if table.live(runID) != nil {
                        await Task.yield()
                        continue
                    }  // it was accepted meanwhile
                    let summary: RunSummary
                    do {
                        summary = try await table.summary(runID, caller: exchange.caller)
                    } catch {
                        if error.code == .unavailable, let cluster = table.cluster, Self.mayWait(&outage) {
                            await cluster.waitForEvents(runID: runID, since: token, timeout: Self.remotePoll)
                            continue
                        }
                        return try await exchange.fail(error)  // not_found, or unavailable when the store failed
                    }
                    if !summary.status.isTerminal && summary.status != .paused {
                        if table.isBecomingLive(runID) || table.live(runID) != nil {
                            await Task.yield()
                            continue
                        }
                        // Unfinished in the store, yet not running here: its writes failed. Say so instead of
                        // waiting forever.
                        if let failure = table.storeFailure(runID) {
                            return try await exchange.fail(Self.stopped(runID, failure, after: last))
                        }
                        // Or it runs on another host: follow it through the store, woken by that host's commits.
                        if let cluster = table.cluster {
                            await cluster.waitForEvents(runID: runID, since: token, timeout: Self.remotePoll)
                            continue
                        }
                        return try await exchange.fail(
                            ProtocolError(
                                .internal,
                                "run '\(runID)' is \(summary.status.rawValue) in the store but not running in this agnod: its final state could not be stored; it resumes when agnod restarts"
                            ))
                    }
                    // Its last events were stored (with its final state, by another host) after the read above:
                    // send them before the end.
                    if summary.lastSeq > last && recheckedAfter != last {
                        recheckedAfter = last
                        continue
                    }
                    return try await exchange.end(summary)
                }
                try await exchange.writer.send(batch, idPrefix: prefix)
                last = batch.lastSeq!
            }
        }
    }

    /// How long a reader of a shared store waits for its server to come back before it is told `unavailable`.
    static let outageWait = Duration.seconds(60)

    /// Whether a reader whose store read failed may wait and read again (starting the outage's clock).
    static func mayWait(_ outage: inout ContinuousClock.Instant?) -> Bool {
        let since = outage ?? .now
        outage = since
        return ContinuousClock.now - since < outageWait
    }

    /// The error that ends a stream of a run the store stopped: what was sent is all that is stored.
    static func stopped(_ runID: String, _ failure: String, after seq: Int) -> ProtocolError {
        ProtocolError(
            .unavailable,
            "\(failure): run '\(runID)' stopped after seq \(seq), the last one stored; it goes on when agnod restarts (stream again with after_seq \(seq))",
            retryAfterMs: 1000)
    }

    /// The error that ends a stream when the store could not be read: the reader may stream again from `seq`.
    static func unreadable(_ runID: String, _ error: String, after seq: Int) -> ProtocolError {
        ProtocolError(
            .unavailable, "could not read run '\(runID)' from the store after seq \(seq): \(error); stream again with after_seq \(seq)",
            retryAfterMs: 200)
    }
}
