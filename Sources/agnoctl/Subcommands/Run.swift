import AgnoClient
import AgnoProtocol
import ArgumentParser
import Dispatch
import Foundation

extension AgnoctlCommand {
    /// `agnoctl run WORKFLOW INPUT…`: start a run and stream it; Ctrl-C cancels it.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a workflow run and stream its output (Ctrl-C cancels the run).",
            discussion: """
                Content goes to stdout; step headers, tool calls and the final status to stderr. When the run pauses for \
                a review and stdin and stderr are a terminal, agnoctl asks and goes on; otherwise (or with --json or \
                --no-input) it prints how to answer (`agnoctl continue`) and exits 3.
                """)

        @OptionGroup var options: ClientOptions

        @Argument(help: "The workflow's name (see `agnoctl workflows`).")
        var workflow: String

        @Argument(help: "The run's input; several words are joined with spaces. Use - to read it from stdin.")
        var input: [String]

        @Flag(name: [.short, .long], help: "Print the run id and return at once; the run goes on.")
        var detach = false

        @Flag(name: .long, help: "Print the raw protocol frames (NDJSON) instead of text.")
        var json = false

        @Option(name: .customLong("run-id"), help: "Choose the run's id.")
        var runID: String?

        @Option(name: .customLong("session-id"), help: "Put the run in this session.")
        var sessionID: String?

        @Flag(name: .customLong("cancel-on-disconnect"), help: "Have agnod cancel the run if this client goes away.")
        var cancelOnDisconnect = false

        @OptionGroup var prompt: PromptOptions

        func validate() throws {
            if input.isEmpty { throw ValidationError("give the run's input after the workflow name") }
        }

        func run() throws {
            var text = input.joined(separator: " ")
            if text == "-" { text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) }
            let connection = try options.connect()
            let request = StartRequest(
                workflow: workflow, input: text, stream: !detach, runID: runID, sessionID: sessionID,
                onDisconnect: cancelOnDisconnect && !detach ? .cancel : .continue)
            let id = try Self.wrap { try connection.send(.start(request)) }
            let first = try Self.wrap { try connection.rawReply(for: id) }
            if json { Output.raw(first.line) }
            let runID: String
            switch first.reply {
            case .result(_, let result):
                runID = result["run_id"]?.stringValue ?? ""
            case .error(_, let error):
                if !json { Output.error("\(error.message) [\(error.code.rawValue)]") }
                throw ExitCode(ExitCodes.error)
            default:
                throw Output.fail(ClientError.badReply("start did not answer with a result"))
            }
            if detach {
                if !json { Output.out(runID + "\n") }
                return
            }
            let interrupt = InterruptProxy(socket: connection.path, runID: runID, quiet: json)
            interrupt.install()
            if !json { Output.err("run \(runID) started (Ctrl-C cancels it)\n") }
            var follower = StreamFollower(
                connection: connection, id: id, renderer: EventRenderer(json: json), prompt: prompt.prompt(json: json),
                socket: options.socket)
            try follower.follow(runID: runID)
        }

        static func wrap<T>(_ body: () throws -> T) throws -> T {
            do { return try body() } catch { throw Output.fail(error) }
        }
    }
}

/// Like `docker run`'s signal proxy: the first Ctrl-C cancels the run (and the stream shows it end); a second one quits.
final class InterruptProxy: @unchecked Sendable {
    let socket: String
    let runID: String
    let quiet: Bool
    private var source: DispatchSourceSignal?
    private var count = 0

    init(socket: String, runID: String, quiet: Bool) {
        self.socket = socket
        self.runID = runID
        self.quiet = quiet
    }

    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [self] in
            count += 1
            if count > 1 { exit(ExitCodes.cancelled) }
            if !quiet { Output.err("\ncancelling run \(runID)… (Ctrl-C again to stop waiting)\n") }
            do {
                let connection = try AgnoConnection(path: socket)
                _ = try connection.call(.cancel(CancelRequest(runID: runID, reason: "cancelled by Ctrl-C in agnoctl")))
            } catch {
                Output.error("could not cancel: \(error)")
                return
            }
            // At a pause prompt no stream is read that would show the end: the run is cancelled, say so and go.
            if PausePrompt.isAsking.load(ordering: .acquiring) {
                if !quiet { Output.err("run \(runID) CANCELLED\n") }
                exit(ExitCodes.cancelled)
            }
        }
        source.resume()
        self.source = source
    }
}
