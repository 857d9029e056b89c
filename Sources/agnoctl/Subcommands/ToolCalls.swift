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

        @Flag(help: "Print each tool call as one JSON object per line.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            // A page at a time (each result whole), printed as it arrives.
            var afterSeq = 0
            var printed = 0
            while true {
                let result: JSONValue
                do {
                    result = try connection.result(.toolCalls(ToolCallsRequest(runID: runID, toolCallID: toolCallID, afterSeq: afterSeq, limit: 20)))
                } catch {
                    throw Output.fail(error)
                }
                guard let list = result["tool_calls"]?.arrayValue else { throw Output.fail(ClientError.badReply(result.encodedString)) }
                if json {
                    for call in list { Output.json(call) }
                } else {
                    let calls = list.compactMap(ToolCallRecord.init(json:))
                    Output.out(calls.map { (printed == 0 && $0 == calls.first ? "" : "\n") + Self.render($0) }.joined())
                }
                printed += list.count
                guard let next = result["next_after_seq"]?.intValue else { break }
                afterSeq = next
            }
            if printed == 0 && !json { Output.out("run \(runID) made no tool calls\n") }
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
