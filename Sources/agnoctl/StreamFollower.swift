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
                let reply = try connection.reply(for: id)
                let json = Self.json(reply)
                renderer.show(json)
                switch reply {
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

    /// The reply as it came on the wire (for --json and rendering).
    static func json(_ reply: Reply) -> JSONValue {
        switch reply {
        case .result(let id, let r): return .object([("id", id.json), ("type", "result"), ("result", r)])
        case .error(let id, let e): return .object([("id", id.json), ("type", "error"), ("error", e.json)])
        case .event(let id, let seq, let e): return .object([("id", id.json), ("type", "event"), ("seq", .int(seq)), ("event", e)])
        case .end(let id, let run): return .object([("id", id.json), ("type", "end"), ("run", run.json)])
        }
    }
}
