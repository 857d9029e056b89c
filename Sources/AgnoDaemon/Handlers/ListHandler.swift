import AgnoProtocol

/// `list`: the caller's runs (or, for admins, everyone's), newest first.
struct ListHandler {
    func handle(_ request: ListRequest, _ exchange: Exchange) async throws {
        do {
            let runs = try await exchange.daemon.table.list(
                caller: exchange.caller, allUsers: request.allUsers, statuses: request.statuses, limit: request.limit)
            try await exchange.result(.object([("runs", .array(runs.map(\.json)))]))
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
