import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl continue RUN_ID (--approve | --reject) [--set NAME=VALUE …] [--follow]`.
    struct Continue: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Answer a paused run's review: approve (with the input it asks for) or reject it.",
            usage: "agnoctl continue <run-id> (--approve | --reject) [--set <name=value> ...] [--follow] [--no-input] [--json]",
            discussion: """
                `agnoctl status RUN_ID` shows what the run waits for. --set values are typed by the fields it asks for \
                (integer, number, boolean); a value of the wrong type is refused before anything is sent.
                """)

        @OptionGroup var options: ClientOptions

        @Argument(help: "The paused run's id.")
        var runID: String

        @Flag(help: "Approve: the step runs (or its output is used).")
        var approve = false

        @Flag(help: "Reject: the step is skipped, runs again or the run is cancelled, as its on_reject says.")
        var reject = false

        @Option(name: .customLong("set"), help: ArgumentHelp("A field of the input asked for (repeatable).", valueName: "name=value"))
        var assignments: [String] = []

        @Flag(name: [.short, .long], help: "Follow the run from there and exit with its exit code (Ctrl-C cancels the run, as with run).")
        var follow = false

        @OptionGroup var prompt: PromptOptions

        @Flag(help: "Print the raw result (with --follow: the raw protocol frames).")
        var json = false

        func validate() throws {
            if approve == reject { throw ValidationError("give exactly one of --approve and --reject") }
            if reject && !assignments.isEmpty { throw ValidationError("--set goes with --approve only: a rejection takes no input") }
        }

        func run() throws {
            let connection = try options.connect()
            let input = try self.input(connection)
            let request = ContinueRequest(runID: runID, decision: approve ? .approve : .reject, input: input, stream: follow)
            guard follow else {
                do {
                    let result = try connection.result(.continue(request))
                    if json { return Output.json(result) }
                    Output.out("run \(result["run_id"]?.stringValue ?? runID) \(result["status"]?.stringValue ?? "?")\n")
                    return
                } catch {
                    throw Output.fail(error)
                }
            }
            let id = try AgnoctlCommand.Run.wrap { try connection.send(.continue(request)) }
            // Followed, the run is in the foreground as with `run`: Ctrl-C cancels it, a second one stops waiting.
            InterruptProxy(socket: connection.path, runID: runID, quiet: json).install()
            var follower = StreamFollower(
                connection: connection, id: id, renderer: EventRenderer(json: json), prompt: prompt.prompt(json: json),
                socket: options.socket)
            try follower.follow(runID: runID)
        }

        /// The `--set` fields, typed by the schema of what the run waits for (read with `status` first).
        private func input(_ connection: AgnoConnection) throws -> JSONValue? {
            guard !assignments.isEmpty else { return nil }
            let summary: JSONValue
            do {
                summary = try connection.result(.status(StatusRequest(runID: runID)))
            } catch {
                throw Output.fail(error)
            }
            let schema = RunSummary(json: summary)?.waitingFor?.schema ?? []
            do {
                return try FieldValue.input(assignments, schema: schema)
            } catch {
                Output.error(error.description)
                throw ExitCode(ExitCodes.usage)
            }
        }
    }
}
