import AgnoCore
import AgnoProtocol
import Logging

extension Daemon {
    /// The unfinished runs of a host whose lease expired, now this host's. As after a restart: a PENDING or
    /// RUNNING run resumes here from its last completed node, or ends ERROR "interrupted: host X stopped"
    /// (`on_restart: error`, or its workflow is not loaded here or changed); a PAUSED one keeps waiting, its
    /// timeout now armed here.
    static func takeOver(
        _ runs: [RunSummary], from host: String, store: any RunStore, context: DaemonContext, runLog: RunLog, logger: Logger
    ) async {
        let reason = "interrupted: host \(host) stopped"
        let recovery = RunRecovery(disposition: restartDisposition(context.catalog, interrupted: { _ in reason }))
        let outcome: RunRecovery.Outcome
        do {
            outcome = try await recovery.recover(runs, in: store)
        } catch {
            // Their rows are this host's now: the next start-up of this host recovers them.
            logger.error("could not take over a stopped host's runs", metadata: ["host": "\(host)", "error": "\(error)"])
            return
        }
        logger.warning(
            "host's lease expired; its runs were taken over here",
            metadata: [
                "host": "\(host)", "interrupted_runs": "\(outcome.ended.count)", "resuming_runs": "\(outcome.resumable.count)",
                "paused_runs": "\(outcome.paused.count)",
            ])
        for run in outcome.ended { runLog.interrupted(run) }
        for run in outcome.paused { context.table.armPauseTimer(run) }
        await resume(outcome.resumable, context: context, logger: logger)
    }

    /// Makes runs that were interrupted (by a restart, or a host that stopped) go on from their last completed
    /// node, each with its workflow as loaded here.
    static func resume(_ runs: [RunSummary], context: DaemonContext, logger: Logger) async {
        for run in runs {
            guard let workflow = context.catalog.workflows[run.workflow], RunTable.sameTree(run, workflow) else { continue }
            do {
                try await context.table.resume(run, workflow: workflow)
            } catch {
                logger.error("could not resume run", metadata: ["run_id": "\(run.runID)", "error": "\(error)"])
            }
        }
    }
}
