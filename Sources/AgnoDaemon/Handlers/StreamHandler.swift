import AgnoProtocol

/// `stream`: replay a run's events after `after_seq`, follow it live, then `end`.
struct StreamHandler {
    func handle(_ request: StreamRequest, _ exchange: Exchange) async throws {
        do {
            _ = try await exchange.daemon.table.summary(request.runID, caller: exchange.caller)
        } catch {
            return try await exchange.fail(error)
        }
        try await StreamPump(exchange: exchange).pump(runID: request.runID, afterSeq: request.afterSeq)
    }
}
