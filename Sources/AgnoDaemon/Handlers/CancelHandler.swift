import AgnoCore
import AgnoProtocol

/// `cancel`: cancel a PENDING or RUNNING run; tells whether it was (and its status before).
struct CancelHandler {
    func handle(_ request: CancelRequest, _ exchange: Exchange) async throws {
        let daemon = exchange.daemon
        do {
            let outcome = try await daemon.table.cancel(request.runID, reason: request.reason, caller: exchange.caller)
            if outcome.cancelled {
                daemon.logger.info(
                    "run cancel requested",
                    metadata: ["run_id": "\(request.runID)", "uid": "\(exchange.caller.uid)", "user": "\(exchange.caller.user)"])
            }
            try await exchange.result(.object([("cancelled", .bool(outcome.cancelled)), ("status", .string(outcome.status.rawValue))]))
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
