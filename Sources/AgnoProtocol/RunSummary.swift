import Foundation

/// A run as `status`, `list` and `end` show it.
public struct RunSummary: Sendable, Equatable {
    public var runID: String
    public var sessionID: String
    public var workflow: String
    public var status: RunStatus
    public var ownerUID: UInt32
    public var owner: String
    public var input: String
    public var content: String?
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var lastSeq: Int
    public var steps: [StepSummary]
    /// Who cancelled the run (the owner, an admin, or "agnod" when it stopped), once it was cancelled.
    public var cancelledBy: String?
    /// The start request's `additional_data` and `session_state`, when it gave them.
    public var additionalData: JSONValue?
    public var sessionState: JSONValue?
    /// What a PAUSED run waits for.
    public var waitingFor: PauseRequirement?
    /// The answers given to the run's pauses, oldest first.
    public var reviews: [Review]
    /// A digest of the workflow file the run started on (not on the wire): a run resumes only on the same file.
    public var workflowDigest: String?
    /// Tokens, cost and times of the run's model calls so far (nil before its first model call).
    public var metrics: RunMetrics?

    public init(
        runID: String, sessionID: String, workflow: String, status: RunStatus, ownerUID: UInt32, owner: String,
        input: String, content: String? = nil, error: String? = nil, createdAt: Date, startedAt: Date? = nil,
        finishedAt: Date? = nil, lastSeq: Int = 0, steps: [StepSummary], cancelledBy: String? = nil,
        additionalData: JSONValue? = nil, sessionState: JSONValue? = nil, waitingFor: PauseRequirement? = nil, reviews: [Review] = [],
        workflowDigest: String? = nil, metrics: RunMetrics? = nil
    ) {
        self.runID = runID
        self.sessionID = sessionID
        self.workflow = workflow
        self.status = status
        self.ownerUID = ownerUID
        self.owner = owner
        self.input = input
        self.content = content
        self.error = error
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.lastSeq = lastSeq
        self.steps = steps
        self.cancelledBy = cancelledBy
        self.additionalData = additionalData
        self.sessionState = sessionState
        self.waitingFor = waitingFor
        self.reviews = reviews
        self.workflowDigest = workflowDigest
        self.metrics = metrics
    }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("run_id", .string(runID)), ("session_id", .string(sessionID)), ("workflow", .string(workflow)),
            ("status", .string(status.rawValue)), ("owner_uid", .int(Int(ownerUID))), ("owner", .string(owner)),
            ("input", .string(input)), ("content", .optional(content)), ("error", .optional(error)),
            ("created_at", .string(Timestamp.rfc3339(createdAt))),
        ]
        pairs.append(("started_at", .optional(startedAt.map(Timestamp.rfc3339))))
        pairs.append(("finished_at", .optional(finishedAt.map(Timestamp.rfc3339))))
        pairs.append(("last_seq", .int(lastSeq)))
        pairs.append(("steps", .array(steps.map(\.json))))
        pairs.append(("cancelled_by", .optional(cancelledBy)))
        if let additionalData { pairs.append(("additional_data", additionalData)) }
        if let sessionState { pairs.append(("session_state", sessionState)) }
        if let waitingFor { pairs.append(("waiting_for", waitingFor.json)) }
        if !reviews.isEmpty { pairs.append(("reviews", .array(reviews.map(\.json)))) }
        if let metrics { pairs.append(("metrics", metrics.json)) }
        return .object(pairs)
    }

    public init?(json: JSONValue) {
        guard let runID = json["run_id"]?.stringValue,
            let status = json["status"]?.stringValue.flatMap(RunStatus.init(rawValue:))
        else { return nil }
        self.init(
            runID: runID, sessionID: json["session_id"]?.stringValue ?? "", workflow: json["workflow"]?.stringValue ?? "",
            status: status, ownerUID: UInt32(json["owner_uid"]?.intValue ?? 0), owner: json["owner"]?.stringValue ?? "",
            input: json["input"]?.stringValue ?? "", content: json["content"]?.stringValue, error: json["error"]?.stringValue,
            createdAt: json["created_at"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0),
            startedAt: json["started_at"]?.stringValue.flatMap(Timestamp.parse),
            finishedAt: json["finished_at"]?.stringValue.flatMap(Timestamp.parse),
            lastSeq: json["last_seq"]?.intValue ?? 0,
            steps: json["steps"]?.arrayValue?.compactMap(StepSummary.init(json:)) ?? [],
            cancelledBy: json["cancelled_by"]?.stringValue, additionalData: json["additional_data"], sessionState: json["session_state"],
            waitingFor: json["waiting_for"].flatMap(PauseRequirement.init(json:)),
            reviews: json["reviews"]?.arrayValue?.compactMap(Review.init(json:)) ?? [],
            metrics: json["metrics"].flatMap(RunMetrics.init(json:)))
    }
}
