import AgnoClient
import AgnoProtocol
import ArgumentParser

/// Follows one streaming request to its `end` and turns the run's final status into agnoctl's exit code. When
/// the run pauses, it asks at the terminal and follows the `continue` (again and again), or says how to answer
/// and exits 3.
struct StreamFollower {
    let connection: AgnoConnection
    var id: RequestID
    var renderer: EventRenderer
    var prompt: PausePrompt? = nil
    /// The `--socket` the user gave, for the commands to answer a pause.
    var socket: String? = nil
    /// The pause last answered here: agnod refusing the answer (`bad_request`) asks again.
    private var answering: PauseNotice?

    init(connection: AgnoConnection, id: RequestID, renderer: EventRenderer, prompt: PausePrompt? = nil, socket: String? = nil) {
        self.connection = connection
        self.id = id
        self.renderer = renderer
        self.prompt = prompt
        self.socket = socket
    }

    mutating func follow(runID: String) throws -> Never {
        do {
            while true {
                let raw = try connection.rawReply(for: id)
                renderer.show(raw)
                switch raw.reply {
                case .end(_, let run):
                    if run.status == .paused, let requirement = run.waitingFor {
                        try answer(PauseNotice(runID: run.runID, requirement: requirement, socket: socket))
                        continue
                    }
                    throw ExitCode(Output.exitCode(for: run.status))
                case .error(_, let error):
                    if let notice = answering, error.code == .badRequest {
                        try answer(notice)
                        continue
                    }
                    throw ExitCode(ExitCodes.error)
                case .result: answering = nil
                default: continue
                }
            }
        } catch let error as ClientError {
            if case .disconnected = error {
                Output.error(
                    "lost the connection to agnod at \(connection.path) after seq \(renderer.seenSeq); the run goes on. Resume with: agnoctl attach \(runID) --from \(renderer.seenSeq)"
                )
                throw ExitCode(ExitCodes.unreachable)
            }
            throw Output.fail(error)
        }
    }

    /// Asks, and sends the answer as a streaming `continue` on this connection; without a prompt (or when stdin
    /// ended), prints what the run waits for and the commands that answer it, and exits 3.
    private mutating func answer(_ notice: PauseNotice) throws {
        guard let prompt, let reply = prompt.ask(notice) else {
            // In text, the renderer showed the StepPaused line already.
            Output.err(notice.instructions(headline: renderer.json).map { $0 + "\n" }.joined())
            throw ExitCode(ExitCodes.paused)
        }
        answering = notice
        id = try connection.send(
            .continue(ContinueRequest(runID: notice.runID, decision: reply.decision, input: reply.input, stream: true)))
    }
}
