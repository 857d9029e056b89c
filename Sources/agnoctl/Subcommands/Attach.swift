import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl attach RUN_ID [--from SEQ]`.
    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a run's events (replayed, then live) until it ends.",
            discussion: "A run that pauses for a review is answered as with `agnoctl run` (asked at a terminal, else exit 3).")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        @Option(name: .long, help: "Only events after this seq (0: from the start).")
        var from: Int = 0

        @Flag(help: "Print the raw protocol frames (NDJSON).")
        var json = false

        @OptionGroup var prompt: PromptOptions

        func run() throws {
            let connection = try options.connect()
            let id = try AgnoctlCommand.Run.wrap { try connection.send(.stream(StreamRequest(runID: runID, afterSeq: from))) }
            var follower = StreamFollower(
                connection: connection, id: id, renderer: EventRenderer(json: json), prompt: prompt.prompt(json: json),
                socket: options.socket)
            try follower.follow(runID: runID)
        }
    }
}
