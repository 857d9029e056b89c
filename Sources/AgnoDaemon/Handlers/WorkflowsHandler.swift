import AgnoProtocol

/// `workflows`: the workflows this daemon serves.
struct WorkflowsHandler {
    func handle(_ exchange: Exchange) async throws {
        let list = exchange.daemon.catalog.sorted.map { wf -> JSONValue in
            .object([("name", .string(wf.name)), ("description", .string(wf.description)), ("steps", .array(wf.stepNames.map(JSONValue.string)))])
        }
        try await exchange.result(.object([("workflows", .array(list))]))
    }
}
