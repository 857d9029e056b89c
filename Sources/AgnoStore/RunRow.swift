import AgnoProtocol
import GRDB

/// The columns of a run's row that its commits change, as stored: a commit whose run left them as they were
/// does not rewrite the row, and one that keeps the status does not touch the status index (fewer pages in
/// the log per commit).
struct RunRow: Equatable {
    var status: String
    var content: String?
    var error: String?
    var startedAt: Int64?
    var finishedAt: Int64?
    var cancelledBy: String?
    var waitingFor: String?
    var reviews: String?
    var metrics: String?

    init(_ run: RunSummary) {
        status = run.status.rawValue
        content = run.content
        error = run.error
        startedAt = StoredRun.milliseconds(run.startedAt)
        finishedAt = StoredRun.milliseconds(run.finishedAt)
        cancelledBy = run.cancelledBy
        waitingFor = run.waitingFor?.json.encodedString
        reviews = run.reviews.isEmpty ? nil : JSONValue.array(run.reviews.map(\.json)).encodedString
        metrics = run.metrics?.json.encodedString
    }

    /// The columns after `status`, as `UPDATE` sets them, and their values in that order.
    static let restColumns =
        "content = ?, error = ?, started_at_ms = ?, finished_at_ms = ?, cancelled_by = ?, waiting_for = ?, reviews = ?, metrics = ?"
    var rest: [(any DatabaseValueConvertible)?] { [content, error, startedAt, finishedAt, cancelledBy, waitingFor, reviews, metrics] }
}
