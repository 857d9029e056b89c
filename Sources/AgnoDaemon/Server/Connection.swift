import AgnoCore
import AgnoProtocol
import Logging
import NIOCore
import Synchronization

/// One client connection: reads request lines and answers each in its own task, so a long `stream` does not
/// hold up the requests after it. When the client goes away, its requests' tasks are cancelled.
struct Connection {
    let channel: NIOAsyncChannel<InboundLine, ByteBuffer>
    let caller: Caller
    let daemon: DaemonContext

    /// Never throws: a single connection's failure must not tear down the server.
    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                let writer = ReplyWriter(outbound: outbound)
                let inFlight = InFlightRequests()
                let limit = daemon.config.requestsPerConnection
                await withDiscardingTaskGroup { group in
                    do {
                        for try await message in inbound {
                            switch message {
                            case .tooLong(let max):
                                try? await writer.send(
                                    ReplyEncoder.error(
                                        .null,
                                        ProtocolError(.lineTooLong, "a request line is longer than \(max) bytes; closing the connection")))
                                group.cancelAll()
                                return
                            case .line(let line):
                                switch IncomingRequest.decode(line.readableBytesView) {
                                case .failure(let id, let error):
                                    try await writer.send(ReplyEncoder.error(id, error))
                                case .request(let id, let request):
                                    let admitted = inFlight.ids.withLock { ids -> ProtocolError? in
                                        if ids.contains(id) {
                                            return .badRequest(
                                                "request id \(id.json.encodedString) is already in flight on this connection")
                                        }
                                        if ids.count >= limit {
                                            return ProtocolError(
                                                .busy, "this connection already has \(limit) requests in flight (requests_per_connection)",
                                                retryAfterMs: 100)
                                        }
                                        ids.insert(id)
                                        return nil
                                    }
                                    if let refusal = admitted {
                                        try await writer.send(ReplyEncoder.error(id, refusal))
                                        continue
                                    }
                                    let release = inFlight.releaser(for: id)
                                    let exchange = Exchange(id: id, caller: caller, writer: writer, daemon: daemon, release: release)
                                    daemon.requests.begin()
                                    group.addTask {
                                        defer { daemon.requests.end() }
                                        do {
                                            try await RequestRouter().route(request, exchange)
                                        } catch is CancellationError {
                                        } catch let error as ProtocolError {
                                            // A handler that threw its refusal instead of sending it: the client still gets it.
                                            try? await exchange.fail(error)
                                        } catch {
                                            daemon.logger.debug(
                                                "request ended early", metadata: ["op": "\(request.op)", "error": "\(error)"])
                                        }
                                        release()  // if no final reply did (the client left, or the task was cancelled)
                                    }
                                }
                            }
                        }
                    } catch {
                        daemon.logger.debug("connection read failed", metadata: ["error": "\(error)"])
                    }
                    // The client closed its side: nothing more can reach it.
                    group.cancelAll()
                }
            }
        } catch {
            daemon.logger.debug("connection closed with an error", metadata: ["error": "\(error)"])
        }
    }
}

/// The ids of a connection's requests in flight.
final class InFlightRequests: Sendable {
    let ids = Mutex(Set<RequestID>())

    /// Frees `id` once: a second call (after the id was freed and perhaps reused) does nothing.
    func releaser(for id: RequestID) -> @Sendable () -> Void {
        let done = Mutex(false)
        return { [self] in
            let first = done.withLock { d -> Bool in
                defer { d = true }
                return !d
            }
            if first { _ = ids.withLock { $0.remove(id) } }
        }
    }
}
