import AgnoCore
import AgnoProtocol

/// One request being answered: its id, who sent it, where replies go, and the daemon's parts.
/// The id is freed for reuse on the connection just before the request's last reply is written, so a client
/// that sends the same id as soon as it reads that reply is never told the id is still in flight.
struct Exchange: Sendable {
    let id: RequestID
    let caller: Caller
    let writer: ReplyWriter
    let daemon: DaemonContext
    /// Frees the id (idempotent).
    let release: @Sendable () -> Void

    /// `final: false` for the `result` of a `start` whose events follow.
    func result(_ json: JSONValue, final: Bool = true) async throws {
        if final { release() }
        try await writer.send(ReplyEncoder.result(id, json))
    }

    func fail(_ error: ProtocolError) async throws {
        release()
        try await writer.send(ReplyEncoder.error(id, error))
    }

    /// A stream's `end`.
    func end(_ run: RunSummary) async throws {
        release()
        try await writer.send(ReplyEncoder.end(id, run))
    }
}
