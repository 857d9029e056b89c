import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl cancel RUN_ID`.
    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a pending or running run.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        @Option(help: "Why (shown in the run's WorkflowCancelled event).")
        var reason: String?

        @Flag(help: "Print the raw result.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            do {
                let result = try connection.result(.cancel(CancelRequest(runID: runID, reason: reason)))
                if json { return Output.json(result) }
                let cancelled = result["cancelled"]?.boolValue ?? false
                let status = result["status"]?.stringValue ?? "?"
                Output.out(cancelled ? "cancelling run \(runID) (was \(status))\n" : "run \(runID) had already ended: \(status)\n")
            } catch {
                throw Output.fail(error)
            }
        }
    }
}
