import AgnoClient
import AgnoProtocol
import ArgumentParser
import Foundation

extension AgnoctlCommand {
    /// `agnoctl list` / `agnoctl ps`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List your runs, newest first.", aliases: ["ps"])

        @OptionGroup var options: ClientOptions

        @Option(name: .long, help: "Only runs with this status (repeatable): PENDING, RUNNING, PAUSED, COMPLETED, CANCELLED, ERROR.")
        var status: [String] = []

        @Option(name: [.short, .long], help: "At most this many runs.")
        var limit: Int = 50

        @Flag(name: [.short, .long], help: "Every user's runs (admins only).")
        var all = false

        @Flag(help: "Print the raw result.")
        var json = false

        func run() throws {
            var statuses: [RunStatus]?
            if !status.isEmpty {
                statuses = try status.map { name in
                    guard let s = RunStatus(rawValue: name.uppercased()) else { throw ValidationError("unknown status '\(name)'") }
                    return s
                }
            }
            let connection = try options.connect()
            let result: JSONValue
            do {
                result = try connection.result(.list(ListRequest(statuses: statuses, limit: limit, allUsers: all)))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            let runs = (result["runs"]?.arrayValue ?? []).compactMap(RunSummary.init(json:))
            var rows = [["RUN ID", "WORKFLOW", "STATUS", "OWNER", "CREATED", "INPUT"]]
            for run in runs {
                let input = run.input.replacingOccurrences(of: "\n", with: " ")
                rows.append([
                    run.runID, run.workflow, run.status.rawValue, run.owner, Timestamp.rfc3339(run.createdAt), String(input.prefix(40)),
                ])
            }
            Output.out(Table.render(rows))
        }
    }
}
