import AgnoProtocol

/// `workflows`: the workflows this daemon serves.
struct WorkflowsHandler {
    func handle(_ exchange: Exchange) async throws {
        let list = exchange.daemon.catalog.sorted.map { wf -> JSONValue in
            let nodes = wf.nodes.map { node -> JSONValue in
                .object([("name", .string(node.name)), ("path", .string(node.path)), ("type", .string(node.typeName))])
            }
            return .object([
                ("name", .string(wf.name)), ("description", .string(wf.description)), ("steps", .array(wf.stepNames.map(JSONValue.string))),
                ("nodes", .array(nodes)),
            ])
        }
        try await exchange.result(.object([("workflows", .array(list))]))
    }
}
