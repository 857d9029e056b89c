import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl attach RUN_ID [--from SEQ]`.
    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Follow a run's events (replayed, then live) until it ends.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        @Option(name: .long, help: "Only events after this seq (0: from the start).")
        var from: Int = 0

        @Flag(help: "Print the raw protocol frames (NDJSON).")
        var json = false

        func run() throws {
            let connection = try options.connect()
            let id = try AgnoctlCommand.Run.wrap { try connection.send(.stream(StreamRequest(runID: runID, afterSeq: from))) }
            var follower = StreamFollower(connection: connection, id: id, renderer: EventRenderer(json: json))
            try follower.follow(runID: runID)
        }
    }
}
