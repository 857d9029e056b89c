import AgnoCore
import AgnoProtocol

/// One request being answered: its id, who sent it, where replies go, and the daemon's parts.
struct Exchange: Sendable {
    let id: RequestID
    let caller: Caller
    let writer: ReplyWriter
    let daemon: DaemonContext

    func result(_ json: JSONValue) async throws {
        try await writer.send(ReplyEncoder.result(id, json))
    }

    func fail(_ error: ProtocolError) async throws {
        try await writer.send(ReplyEncoder.error(id, error))
    }
}
