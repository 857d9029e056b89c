import AgnoClient
import AgnoProtocol
import ArgumentParser

/// Follows one streaming request to its `end` and turns the run's final status into agnoctl's exit code.
struct StreamFollower {
    let connection: AgnoConnection
    let id: RequestID
    var renderer: EventRenderer

    mutating func follow(runID: String) throws -> Never {
        do {
            while true {
                let raw = try connection.rawReply(for: id)
                renderer.show(raw)
                switch raw.reply {
                case .end(_, let run): throw ExitCode(Output.exitCode(for: run.status))
                case .error: throw ExitCode(ExitCodes.error)
                default: continue
                }
            }
        } catch let error as ClientError {
            if case .disconnected = error {
                Output.error("lost the connection to agnod at \(connection.path) after seq \(renderer.seenSeq); the run goes on. Resume with: agnoctl attach \(runID) --from \(renderer.seenSeq)")
                throw ExitCode(ExitCodes.unreachable)
            }
            throw Output.fail(error)
        }
    }

}
