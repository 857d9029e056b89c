import AgnoCore
import AgnoProtocol
import AgnoSystemd
import Logging

/// The run lifecycle as log lines: ids, owner and status only (never a run's input, output or error text,
/// which belong to its owner), each with a fixed MESSAGE_ID. Under journald the metadata become AGNO_* fields.
struct RunLog: Sendable {
    let logger: Logger

    func accepted(_ record: RunRecord) {
        line(
            "run accepted", .runAccepted, runID: record.runID, workflow: record.workflow.name, uid: record.owner.uid,
            user: record.owner.user, status: .pending)
    }

    func started(_ record: RunRecord) {
        line(
            "run started", .runStarted, runID: record.runID, workflow: record.workflow.name, uid: record.owner.uid, user: record.owner.user,
            status: .running)
    }

    func ended(_ run: RunSummary) {
        let (message, id): (String, MessageID) =
            switch run.status {
            case .completed: ("run completed", .runCompleted)
            case .cancelled: ("run cancelled", .runCancelled)
            default: ("run failed", .runFailed)
            }
        line("\(message)", id, runID: run.runID, workflow: run.workflow, uid: run.ownerUID, user: run.owner, status: run.status)
    }

    func paused(_ run: RunSummary) {
        line(
            "run paused", .runPaused, runID: run.runID, workflow: run.workflow, uid: run.ownerUID, user: run.owner, status: .paused,
            extra: [
                "step": "\(run.waitingFor?.stepPath ?? "")", "requirement": "\(run.waitingFor?.kind.rawValue ?? "")",
            ])
    }

    func continued(_ record: RunRecord) {
        let review = record.reviews.last
        line(
            "run continued", .runContinued, runID: record.runID, workflow: record.workflow.name, uid: record.owner.uid,
            user: record.owner.user, status: record.status,
            extra: [
                "step": "\(review?.stepPath ?? "")", "decision": "\(review?.decision.rawValue ?? "")",
                "action": "\(review?.action.rawValue ?? "")", "by": "\(review?.by ?? "")",
            ])
    }

    func resumed(_ record: RunRecord) {
        line(
            "run resumed after a restart", .runResumed, runID: record.runID, workflow: record.workflow.name, uid: record.owner.uid,
            user: record.owner.user, status: record.status, level: .notice)
    }

    func interrupted(_ run: RunSummary) {
        line(
            "run interrupted", .runInterrupted, runID: run.runID, workflow: run.workflow, uid: run.ownerUID, user: run.owner,
            status: run.status, level: .warning)
    }

    private func line(
        _ message: Logger.Message, _ id: MessageID, runID: String, workflow: String, uid: UInt32, user: String, status: RunStatus,
        level: Logger.Level = .info, extra: Logger.Metadata = [:]
    ) {
        var metadata: Logger.Metadata = [
            "message_id": "\(id.rawValue)", "run_id": "\(runID)", "workflow": "\(workflow)", "uid": "\(uid)", "user": "\(user)",
            "status": "\(status.rawValue)",
        ]
        metadata.merge(extra) { a, _ in a }
        logger.log(level: level, message, metadata: metadata)
    }
}
