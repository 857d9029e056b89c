import AgnoProtocol

/// `status`: one run's summary.
struct StatusHandler {
    func handle(_ request: StatusRequest, _ exchange: Exchange) async throws {
        do {
            try await exchange.result(try exchange.daemon.table.summary(request.runID, caller: exchange.caller).json)
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
