import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl workflows`.
    struct Workflows: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the workflows agnod serves.")

        @OptionGroup var options: ClientOptions

        @Flag(help: "Print the raw result.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            let result: JSONValue
            do {
                result = try connection.result(.workflows(WorkflowsRequest()))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            for wf in result["workflows"]?.arrayValue ?? [] {
                let steps = (wf["steps"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " → ")
                Output.out("\(wf["name"]?.stringValue ?? "?")\t\(steps)\t\(wf["description"]?.stringValue ?? "")\n")
            }
        }
    }
}
