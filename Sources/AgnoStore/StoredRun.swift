import AgnoProtocol
import Foundation
import GRDB

/// Reading runs and steps back from rows.
enum StoredRun {
    static let columns = """
        r.id, r.run_id, r.session_id, r.workflow, r.status, r.owner_uid, r.owner, r.input, r.content, r.error,
        r.created_at_ms, r.started_at_ms, r.finished_at_ms, r.cancelled_by, r.additional_data, r.session_state,
        r.waiting_for, r.reviews, r.workflow_digest, r.metrics,
        \(EventRows.lastSeq(ofRun: "r.id")) AS last_seq
        """

    static func summary(_ row: Row, steps: [StepSummary]) -> RunSummary {
        RunSummary(
            runID: row["run_id"], sessionID: row["session_id"], workflow: row["workflow"],
            status: RunStatus(rawValue: row["status"]) ?? .error, ownerUID: UInt32(truncatingIfNeeded: row["owner_uid"] as Int64),
            owner: row["owner"], input: row["input"], content: row["content"], error: row["error"],
            createdAt: date(row["created_at_ms"]) ?? Date(timeIntervalSince1970: 0),
            startedAt: date(row["started_at_ms"]), finishedAt: date(row["finished_at_ms"]),
            lastSeq: row["last_seq"] ?? 0, steps: steps, cancelledBy: row["cancelled_by"],
            additionalData: (row["additional_data"] as String?).flatMap { try? JSONValue.parse($0) },
            sessionState: (row["session_state"] as String?).flatMap { try? JSONValue.parse($0) },
            waitingFor: (row["waiting_for"] as String?).flatMap { try? JSONValue.parse($0) }.flatMap(PauseRequirement.init(json:)),
            reviews: (row["reviews"] as String?).flatMap { try? JSONValue.parse($0) }?.arrayValue?.compactMap(Review.init(json:)) ?? [],
            workflowDigest: row["workflow_digest"], metrics: metrics(row["metrics"]))
    }

    static func steps(_ db: Database, run: Int64) throws -> [StepSummary] {
        try Row.fetchAll(
            db.cachedStatement(
                sql:
                    "SELECT idx, name, status, content, error, path, type, iteration, attempt, metrics FROM steps WHERE run = ? ORDER BY idx"
            ),
            arguments: [run]
        ).map { row in
            StepSummary(
                name: row["name"], index: row["idx"], status: RunStatus(rawValue: row["status"]) ?? .error,
                content: row["content"], error: row["error"], path: row["path"], type: row["type"] ?? "Step",
                iteration: row["iteration"], attempt: row["attempt"], metrics: metrics(row["metrics"]))
        }
    }

    static func metrics(_ text: String?) -> RunMetrics? {
        text.flatMap { try? JSONValue.parse($0) }.flatMap(RunMetrics.init(json:))
    }

    static func milliseconds(_ date: Date?) -> Int64? {
        date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    static func date(_ ms: Int64?) -> Date? {
        ms.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}
