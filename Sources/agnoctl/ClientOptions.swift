import AgnoClient
import ArgumentParser
import Foundation

/// Options every subcommand shares.
struct ClientOptions: ParsableArguments {
    @Option(name: .long, help: "The agnod socket (default: $AGNOD_SOCKET, else /run/agnod/agnod.sock).")
    var socket: String?

    var socketPath: String { SocketPath.resolve(socket) }

    /// Connects, or exits 69 with a message naming the socket.
    func connect() throws -> AgnoConnection {
        do {
            return try AgnoConnection(path: socketPath)
        } catch {
            Output.error(error.description)
            throw ExitCode(ExitCodes.unreachable)
        }
    }
}

/// agnoctl's exit codes.
enum ExitCodes {
    static let completed: Int32 = 0
    static let error: Int32 = 1
    static let usage: Int32 = 2
    /// The run is PAUSED, waiting for an answer (`agnoctl continue`).
    static let paused: Int32 = 3
    static let unreachable: Int32 = 69
    static let cancelled: Int32 = 130
}
