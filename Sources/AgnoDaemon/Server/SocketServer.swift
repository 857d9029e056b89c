import AgnoCore
import AgnoProtocol
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// Listens on the Unix socket and runs one `Connection` per client, each knowing its peer's credentials.
final class SocketServer: Sendable {
    let daemon: DaemonContext
    private let connectionsByUser = Mutex([UInt32: Int]())
    private let serverChannel = Mutex<Channel?>(nil)

    /// The listen backlog (also `Backlog=` in agnod.socket).
    static let backlog: Int32 = 4096

    init(daemon: DaemonContext) {
        self.daemon = daemon
    }

    /// Binds the socket path (replacing a stale socket file), or takes systemd's socket, and serves until
    /// `stop()`; calls `onListening` once bound.
    func run(_ listener: Listener, onListening: @Sendable () -> Void) async throws {
        let maxLine = daemon.config.maxLineBytes
        let initializer: @Sendable (Channel) -> EventLoopFuture<(NIOAsyncChannel<InboundLine, ByteBuffer>, PeerCredentials)> = { channel in
            PeerCredentials.read(from: channel).flatMapThrowing { peer in
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineDecoder(maxLength: maxLine)))
                let async = try NIOAsyncChannel<InboundLine, ByteBuffer>(wrappingChannelSynchronously: channel)
                return (async, peer)
            }
        }
        // Connects beyond the backlog fail with EAGAIN at once (AF_UNIX does not retry): a burst of a thousand
        // clients must wait in it instead. The kernel caps it at net.core.somaxconn (4096 by default).
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).serverChannelOption(
            .backlog, value: SocketServer.backlog)
        let server: NIOAsyncChannel<(NIOAsyncChannel<InboundLine, ByteBuffer>, PeerCredentials), Never>
        switch listener {
        case .path(let path):
            try SocketServer.prepareDirectory(for: path)
            server = try await bootstrap.bind(
                unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
            // Anyone may connect; every request is then checked against the caller's uid (docs/security.md).
            chmod(path, 0o666)
        case .inherited(let fd, _):
            server = try await bootstrap.bind(NIOBSDSocket.Handle(fd), childChannelInitializer: initializer)
        }
        serverChannel.withLock { $0 = server.channel }
        onListening()
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { inbound in
                for try await (channel, peer) in inbound {
                    group.addTask { await self.serve(channel, peer: peer) }
                }
            }
        }
    }

    private func serve(_ channel: NIOAsyncChannel<InboundLine, ByteBuffer>, peer: PeerCredentials) async {
        let caller = daemon.caller(for: peer)
        let limit = daemon.config.connectionsPerUser
        let admitted = connectionsByUser.withLock { counts -> Bool in
            guard counts[peer.uid, default: 0] < limit else { return false }
            counts[peer.uid, default: 0] += 1
            return true
        }
        guard admitted else {
            try? await channel.executeThenClose { _, outbound in
                let error = ProtocolError(
                    .busy, "\(caller.user) already has \(limit) connections open (connections_per_user)", retryAfterMs: 1000)
                try await outbound.write(ByteBuffer(bytes: ReplyEncoder.error(.null, error)))
            }
            return
        }
        daemon.telemetry.openConnections.add(1, ordering: .relaxed)
        daemon.telemetry.metrics.connectionAccepted()
        defer {
            connectionsByUser.withLock { $0[peer.uid, default: 1] -= 1 }
            daemon.telemetry.openConnections.subtract(1, ordering: .relaxed)
        }
        await Connection(channel: channel, caller: caller, daemon: daemon).run()
    }

    /// Stops accepting new connections; open ones go on.
    /// Stops accepting; returns once the listening socket is closed (a connect after it is refused).
    func stop() async {
        let channel = serverChannel.withLock { $0 }
        try? await channel?.close()
    }

    static func prepareDirectory(for path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
    }
}
