import AgnoClient
import AgnoProtocol
import ArgumentParser
import Foundation

/// Where agnoctl writes: content to stdout, progress and errors to stderr.
enum Output {
    static func out(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func err(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func error(_ text: String) {
        err("agnoctl: \(text)\n")
    }

    /// Prints a frame exactly as it arrived (for --json).
    static func raw(_ line: [UInt8]) {
        FileHandle.standardOutput.write(Data(line + [UInt8(ascii: "\n")]))
    }

    /// Prints a JSON value as one line (for --json).
    static func json(_ value: JSONValue) {
        out(value.encodedString + "\n")
    }

    /// Turns a failed request into agnoctl's exit: 69 when the daemon went away, 1 otherwise.
    static func fail(_ error: Error) -> ExitCode {
        switch error {
        case let e as ClientError:
            Output.error(e.description)
            if case .unreachable = e { return ExitCode(ExitCodes.unreachable) }
            if case .disconnected = e { return ExitCode(ExitCodes.unreachable) }
            return ExitCode(ExitCodes.error)
        case let e as ProtocolError:
            Output.error("\(e.message) [\(e.code.rawValue)]")
            return ExitCode(ExitCodes.error)
        default:
            Output.error("\(error)")
            return ExitCode(ExitCodes.error)
        }
    }

    /// The exit code for a run's final status.
    static func exitCode(for status: RunStatus) -> Int32 {
        switch status {
        case .completed: return ExitCodes.completed
        case .cancelled: return ExitCodes.cancelled
        case .paused: return ExitCodes.paused
        default: return ExitCodes.error
        }
    }
}

extension AgnoConnection {
    /// Sends a request and returns its `result`, throwing the daemon's error.
    func result(_ request: Request) throws -> JSONValue {
        switch try call(request) {
        case .result(_, let json): return json
        case .error(_, let error): throw error
        case let other: throw ClientError.badReply("unexpected \(other)")
        }
    }
}
