import AgnoCore
import AgnoProtocol
import Logging

/// `start`: accept a run (stored PENDING before the reply), then stream it on this request if asked.
struct StartHandler {
    func handle(_ request: StartRequest, _ exchange: Exchange) async throws {
        let daemon = exchange.daemon
        guard let workflow = daemon.catalog.workflows[request.workflow] else {
            return try await exchange.fail(.notFound("no workflow named '\(request.workflow)' (see the `workflows` op)"))
        }
        let models = daemon.models
        for model in workflow.models.sorted() {
            do {
                _ = try models.reference(for: model)
            } catch {
                return try await exchange.fail(ProtocolError(.unavailable, "workflow '\(workflow.name)' cannot run: \(error.message)"))
            }
        }
        let record: RunRecord
        do {
            record = try await daemon.table.start(
                workflow: workflow, input: request.input, runID: request.runID, sessionID: request.sessionID, caller: exchange.caller,
                additionalData: request.additionalData, sessionState: request.sessionState)
        } catch {
            return try await exchange.fail(error)
        }
        let accepted = record.summary
        // A stream of the new run subscribes before the answer: nothing of it is stored yet, so the reader
        // starts live instead of reading the store for its first events.
        let first =
            request.stream
            ? await record.read(afterSeq: 0, limit: StreamPump.batchSize, bufferSize: daemon.config.subscriberBuffer) : nil
        try await exchange.result(
            .object([
                ("run_id", .string(record.runID)), ("session_id", .string(record.sessionID)), ("status", .string(accepted.status.rawValue)),
            ]), final: !request.stream)
        guard request.stream else { return }
        do {
            try await StreamPump(exchange: exchange).pump(runID: record.runID, afterSeq: 0, first: first)
        } catch {
            // The client went away (or its connection broke) before the run ended.
            if request.onDisconnect == .cancel {
                let reason = "client disconnected (on_disconnect: cancel)"
                _ = try? await daemon.table.cancel(record.runID, reason: reason, caller: exchange.caller)
            }
            throw error
        }
    }
}
