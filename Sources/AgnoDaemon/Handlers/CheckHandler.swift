import AgnoCore
import AgnoProtocol

/// `check`: the workflow file sent is parsed as the daemon would load it (its tool list included), and its
/// models are checked against the configured providers. Result: `{"ok", "workflow", "nodes", "problems", "warnings"}`.
struct CheckHandler {
    func handle(_ request: CheckRequest, _ exchange: Exchange) async throws {
        let daemon = exchange.daemon
        var problems: [JSONValue] = []
        var fields: [(String, JSONValue?)] = []
        var warnings: [JSONValue] = []
        do {
            let workflow = try daemon.workflowParser.parse(text: request.text, file: request.file)
            fields = [("workflow", .string(workflow.name)), ("nodes", .int(workflow.nodes.count))]
            for model in workflow.models.sorted() {
                do { _ = try daemon.models.reference(for: model) } catch { warnings.append(.string("model '\(model)': \(error.message)")) }
            }
        } catch {
            problems.append(
                .compactObject([("file", .string(error.file)), ("line", error.line.map(JSONValue.int)), ("reason", .string(error.reason))]))
        }
        try await exchange.result(
            .compactObject([("ok", .bool(problems.isEmpty))] + fields + [("problems", .array(problems)), ("warnings", .array(warnings))]))
    }
}
