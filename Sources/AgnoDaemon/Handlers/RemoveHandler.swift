import AgnoProtocol

/// `rm`: delete a finished run and its events.
struct RemoveHandler {
    func handle(_ request: RemoveRequest, _ exchange: Exchange) async throws {
        do {
            let removed = try await exchange.daemon.table.remove(request.runID, caller: exchange.caller)
            exchange.daemon.logger.info("run removed", metadata: ["run_id": "\(request.runID)", "uid": "\(exchange.caller.uid)"])
            try await exchange.result(.object([("removed", true), ("run_id", .string(removed.runID))]))
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
