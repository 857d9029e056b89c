import AgnoCore
import AgnoProtocol

/// `continue`: answers a PAUSED run's requirement (stored before the reply), then streams the run from its
/// `StepContinued` on this request if asked.
struct ContinueHandler {
    func handle(_ request: ContinueRequest, _ exchange: Exchange) async throws {
        let table = exchange.daemon.table
        let record: RunRecord
        do {
            record = try await table.continueRun(request.runID, decision: request.decision, input: request.input, caller: exchange.caller)
        } catch {
            return try await exchange.fail(error)
        }
        let continuedAt = (record.reviews.last?.seq ?? 1) - 1
        try await exchange.result(
            .object([("run_id", .string(record.runID)), ("status", .string(record.status.rawValue))]), final: !request.stream)
        guard request.stream else { return }
        try await StreamPump(exchange: exchange).pump(runID: record.runID, afterSeq: continuedAt)
    }
}
