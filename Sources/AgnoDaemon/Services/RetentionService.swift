import AgnoCore
import Logging
import ServiceLifecycle

/// Applies the retention policy at start-up and then every `interval` (read afresh after a reload).
struct RetentionService: Service {
    let context: DaemonContext
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown { [context, logger] in
            while !Task.isCancelled {
                let policy = context.config.retention
                do {
                    let removed = try await policy.apply(to: context.table.store)
                    if removed > 0 {
                        logger.info(
                            "retention removed \(removed) finished runs",
                            metadata: [
                                "removed": "\(removed)", "max_age_s": "\(policy.maxAge.map { "\(Int($0))" } ?? "none")",
                                "max_runs": "\(policy.maxRuns.map(String.init) ?? "none")",
                            ])
                    }
                } catch {
                    logger.error("retention failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(policy.interval))
            }
        }
    }
}
