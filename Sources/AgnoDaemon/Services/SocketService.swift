import AgnoSystemd
import Logging
import ServiceLifecycle

/// The socket and its connections. `RunDrainService` stops the accepting (connections stay, so streams get
/// their `end`); this service's own turn in the shutdown closes what connections are left.
struct SocketService: Service {
    let server: SocketServer
    let listener: Listener
    let onListening: @Sendable () -> Void

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [server, listener, onListening] in
                try await server.run(listener, onListening: onListening)
            }
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return
        }
        // Accepting stopped and the last connection closed before this service's turn: wait for it.
        try? await gracefulShutdown()
    }
}
