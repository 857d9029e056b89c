import AgnoProtocol

/// `tool_calls`: a page of a run's tool calls with their whole results (events carry them cut to 4 KiB),
/// or one of them.
struct ToolCallsHandler {
    func handle(_ request: ToolCallsRequest, _ exchange: Exchange) async throws {
        do {
            let calls = try await exchange.daemon.table.toolCalls(
                request.runID, caller: exchange.caller, afterSeq: request.afterSeq, limit: request.limit, toolCallID: request.toolCallID)
            if let id = request.toolCallID, calls.isEmpty, request.afterSeq == 0 {
                throw ProtocolError.notFound("run '\(request.runID)' has no tool call '\(id)'")
            }
            // A full page may have a next one.
            let next: JSONValue = calls.count == request.limit ? .int(calls.last!.seq) : .null
            try await exchange.result(
                .object([
                    ("run_id", .string(request.runID)), ("tool_calls", .array(calls.map(\.json))), ("next_after_seq", next),
                ]))
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
