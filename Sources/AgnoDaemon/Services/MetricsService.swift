import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// Serves `GET /metrics` on the configured loopback address or Unix socket until shutdown.
struct MetricsService: Service {
    let listen: MetricsListen?
    let render: @Sendable (_ openMetrics: Bool) -> (contentType: String, text: String)?
    let logger: Logger

    func run() async throws {
        guard let listen else {
            try? await gracefulShutdown()
            return
        }
        let render = self.render
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(MetricsHTTPHandler(render: render))
                }
            }
        let channel: Channel
        do {
            switch listen {
            case .tcp(let host, let port): channel = try await bootstrap.bind(host: host, port: port).get()
            case .unix(let path):
                channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
                chmod(path, 0o666)
            }
        } catch {
            // The runs go on without the endpoint; the `metrics` op still answers.
            logger.error("metrics endpoint could not listen", metadata: ["listen": "\(listen)", "error": "\(error)"])
            try? await gracefulShutdown()
            return
        }
        var metadata: Logger.Metadata = ["listen": "\(listen)"]
        if let port = channel.localAddress?.port { metadata["port"] = "\(port)" }
        logger.info("metrics endpoint open", metadata: metadata)
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
        if case .unix(let path) = listen { try? FileManager.default.removeItem(atPath: path) }
    }
}
