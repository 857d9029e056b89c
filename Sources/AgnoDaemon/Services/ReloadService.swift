import ServiceLifecycle
import UnixSignals

/// SIGHUP reloads the configuration and workflows (`ConfigReloader`), until the stop begins.
struct ReloadService: Service {
    let daemon: Daemon

    func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            ConfigReloader(daemon: daemon).reload()
        }
    }
}
