import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl rm RUN_ID`.
    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a finished run and its events.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        func run() throws {
            let connection = try options.connect()
            do {
                _ = try connection.result(.remove(RemoveRequest(runID: runID)))
                Output.out("removed \(runID)\n")
            } catch {
                throw Output.fail(error)
            }
        }
    }
}
