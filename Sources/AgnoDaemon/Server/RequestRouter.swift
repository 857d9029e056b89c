import AgnoProtocol

/// Sends each request to its op's handler.
struct RequestRouter {
    func route(_ request: Request, _ exchange: Exchange) async throws {
        switch request {
        case .hello(let r): try await HelloHandler().handle(r, exchange)
        case .workflows: try await WorkflowsHandler().handle(exchange)
        case .start(let r): try await StartHandler().handle(r, exchange)
        case .stream(let r): try await StreamHandler().handle(r, exchange)
        case .cancel(let r): try await CancelHandler().handle(r, exchange)
        case .status(let r): try await StatusHandler().handle(r, exchange)
        case .list(let r): try await ListHandler().handle(r, exchange)
        case .remove(let r): try await RemoveHandler().handle(r, exchange)
        case .toolCalls(let r): try await ToolCallsHandler().handle(r, exchange)
        case .check(let r): try await CheckHandler().handle(r, exchange)
        case .continue(let r): try await ContinueHandler().handle(r, exchange)
        case .metrics(let r): try await MetricsHandler().handle(r, exchange)
        }
    }
}
