import AgnoProtocol
import Foundation
import PostgresNIO

/// Reading runs and steps back from PostgreSQL rows (the columns are SQLite's, see StoredRun).
enum PostgresRows {
    static let runColumns = """
        r.id, r.run_id, r.session_id, r.workflow, r.status, r.owner_uid, r.owner, r.input, r.content, r.error,
        r.created_at_ms, r.started_at_ms, r.finished_at_ms, r.cancelled_by, r.additional_data, r.session_state,
        r.waiting_for, r.reviews, r.workflow_digest, r.metrics,
        (SELECT max(seq) FROM events e WHERE e.run = r.id) AS last_seq
        """
    static let stepColumns = "run, idx, name, status, content, error, path, type, iteration, attempt, metrics"

    static func summary(_ row: PostgresRow, steps: [StepSummary]) throws -> RunSummary {
        let r = row.makeRandomAccess()
        func json(_ column: String) throws -> JSONValue? { try r[column].decode(String?.self).flatMap { try? JSONValue.parse($0) } }
        return RunSummary(
            runID: try r["run_id"].decode(String.self), sessionID: try r["session_id"].decode(String.self),
            workflow: try r["workflow"].decode(String.self),
            status: RunStatus(rawValue: try r["status"].decode(String.self)) ?? .error,
            ownerUID: UInt32(truncatingIfNeeded: try r["owner_uid"].decode(Int64.self)), owner: try r["owner"].decode(String.self),
            input: try r["input"].decode(String.self), content: try r["content"].decode(String?.self),
            error: try r["error"].decode(String?.self),
            createdAt: date(try r["created_at_ms"].decode(Int64.self)) ?? Date(timeIntervalSince1970: 0),
            startedAt: date(try r["started_at_ms"].decode(Int64?.self)), finishedAt: date(try r["finished_at_ms"].decode(Int64?.self)),
            lastSeq: Int(try r["last_seq"].decode(Int64?.self) ?? 0), steps: steps, cancelledBy: try r["cancelled_by"].decode(String?.self),
            additionalData: try json("additional_data"), sessionState: try json("session_state"),
            waitingFor: try json("waiting_for").flatMap(PauseRequirement.init(json:)),
            reviews: try json("reviews")?.arrayValue?.compactMap(Review.init(json:)) ?? [],
            workflowDigest: try r["workflow_digest"].decode(String?.self), metrics: try json("metrics").flatMap(RunMetrics.init(json:)))
    }

    /// The run key a step row belongs to, and the step.
    static func step(_ row: PostgresRow) throws -> (run: Int64, step: StepSummary) {
        let r = row.makeRandomAccess()
        let step = StepSummary(
            name: try r["name"].decode(String.self), index: Int(try r["idx"].decode(Int64.self)),
            status: RunStatus(rawValue: try r["status"].decode(String.self)) ?? .error,
            content: try r["content"].decode(String?.self), error: try r["error"].decode(String?.self),
            path: try r["path"].decode(String?.self), type: try r["type"].decode(String?.self) ?? "Step",
            iteration: try r["iteration"].decode(Int64?.self).map(Int.init), attempt: try r["attempt"].decode(Int64?.self).map(Int.init),
            metrics: try r["metrics"].decode(String?.self).flatMap { try? JSONValue.parse($0) }.flatMap(RunMetrics.init(json:)))
        return (try r["run"].decode(Int64.self), step)
    }

    static func milliseconds(_ date: Date?) -> Int64? {
        date.map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    static func date(_ ms: Int64?) -> Date? {
        ms.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}
