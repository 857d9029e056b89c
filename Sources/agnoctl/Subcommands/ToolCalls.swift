import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl tool-calls RUN_ID [--call ID]`.
    struct ToolCalls: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tool-calls", abstract: "Show a run's tool calls with their whole results (events show them cut to 4 KiB).")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        @Option(name: .customLong("call"), help: "Only this tool call (its tool_call_id).")
        var toolCallID: String?

        @Flag(help: "Print the raw reply.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            let result: JSONValue
            do {
                result = try connection.result(.toolCalls(ToolCallsRequest(runID: runID, toolCallID: toolCallID)))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            guard let list = result["tool_calls"]?.arrayValue else { throw Output.fail(ClientError.badReply(result.encodedString)) }
            let calls = list.compactMap(ToolCallRecord.init(json:))
            if calls.isEmpty { return Output.out("run \(runID) made no tool calls\n") }
            Output.out(calls.map(Self.render).joined(separator: "\n"))
        }

        static func render(_ call: ToolCallRecord) -> String {
            let outcome = call.error == nil ? "ok" : "error"
            var text = "Step \(call.stepIndex + 1) \(call.stepName) (\(call.agentID)): \(call.name) [\(call.toolCallID)] \(outcome) in \(call.durationMS) ms\n"
            text += "Arguments: \(call.arguments.encodedString)\n"
            if let error = call.error { text += "Error: \(error)\n" }
            if let result = call.result { text += "Result (\(result.count) characters):\n\(result)\n" }
            return text
        }
    }
}
