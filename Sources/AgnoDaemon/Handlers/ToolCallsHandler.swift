import AgnoProtocol

/// `tool_calls`: a run's tool calls with their whole results (events carry them cut to 4 KiB), or one of them.
struct ToolCallsHandler {
    func handle(_ request: ToolCallsRequest, _ exchange: Exchange) async throws {
        do {
            var calls = try exchange.daemon.table.toolCalls(request.runID, caller: exchange.caller)
            if let id = request.toolCallID {
                calls = calls.filter { $0.toolCallID == id }
                if calls.isEmpty { throw ProtocolError.notFound("run '\(request.runID)' has no tool call '\(id)'") }
            }
            try await exchange.result(.object([("run_id", .string(request.runID)), ("tool_calls", .array(calls.map(\.json)))]))
        } catch let error as ProtocolError {
            try await exchange.fail(error)
        }
    }
}
