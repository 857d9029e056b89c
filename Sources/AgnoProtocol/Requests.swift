/// `hello`: check the protocol version and learn who the daemon thinks you are.
public struct HelloRequest: Sendable, Equatable {
    public var protocolVersion: Int
    public var client: String?
    public init(protocolVersion: Int = 1, client: String? = nil) {
        self.protocolVersion = protocolVersion
        self.client = client
    }
    init(_ p: Params) throws(ProtocolError) {
        self.init(protocolVersion: try p.int("protocol"), client: try p.optionalString("client"))
    }
    var parameters: [(String, JSONValue?)] { [("protocol", .int(protocolVersion)), ("client", client.map(JSONValue.string))] }
}

/// `workflows`: the workflows the daemon serves.
public struct WorkflowsRequest: Sendable, Equatable {
    public init() {}
}

/// `metrics`: the daemon's metrics as `{"content_type", "text"}`, in the Prometheus text format or OpenMetrics 1.0.
public struct MetricsRequest: Sendable, Equatable {
    public enum Format: String, Sendable {
        case prometheus
        case openMetrics = "openmetrics"
    }

    public var format: Format

    public init(format: Format = .prometheus) { self.format = format }

    init(_ p: Params) throws(ProtocolError) {
        let name = try p.optionalString("format") ?? Format.prometheus.rawValue
        guard let format = Format(rawValue: name) else {
            throw .badRequest("parameter 'format' must be \"prometheus\" or \"openmetrics\", not \"\(name)\"")
        }
        self.format = format
    }
}

/// What happens to a streamed run when its client's connection closes.
public enum DisconnectPolicy: String, Sendable {
    case `continue`
    case cancel
}

/// `start`: start a run of a workflow, optionally streaming its events on this request.
public struct StartRequest: Sendable, Equatable {
    public var workflow: String
    public var input: String
    public var stream: Bool
    public var runID: String?
    public var sessionID: String?
    public var onDisconnect: DisconnectPolicy
    /// agno's `additional_data` and `session_state`: objects that CEL expressions and templates read.
    public var additionalData: JSONValue?
    public var sessionState: JSONValue?

    public init(
        workflow: String, input: String, stream: Bool = false, runID: String? = nil, sessionID: String? = nil,
        onDisconnect: DisconnectPolicy = .continue,
        additionalData: JSONValue? = nil, sessionState: JSONValue? = nil
    ) {
        self.workflow = workflow
        self.input = input
        self.stream = stream
        self.runID = runID
        self.sessionID = sessionID
        self.onDisconnect = onDisconnect
        self.additionalData = additionalData
        self.sessionState = sessionState
    }

    init(_ p: Params) throws(ProtocolError) {
        workflow = try p.string("workflow")
        input = try p.string("input")
        stream = try p.optionalBool("stream") ?? false
        runID = try p.optionalString("run_id")
        sessionID = try p.optionalString("session_id")
        let policy = try p.optionalString("on_disconnect") ?? "continue"
        guard let parsed = DisconnectPolicy(rawValue: policy) else {
            throw .badRequest("parameter 'on_disconnect' must be \"continue\" or \"cancel\", not \"\(policy)\"")
        }
        if parsed == .cancel && !stream {
            throw .badRequest("parameter 'on_disconnect' \"cancel\" needs 'stream': true")
        }
        onDisconnect = parsed
        additionalData = try p.optionalObject("additional_data")
        sessionState = try p.optionalObject("session_state")
        if let runID, !RunID.isValid(runID) {
            throw .badRequest("parameter 'run_id' must be 1 to 128 characters of letters, digits, '-', '_' or '.'")
        }
    }

    var parameters: [(String, JSONValue?)] {
        [
            ("workflow", .string(workflow)), ("input", .string(input)), ("stream", .bool(stream)),
            ("run_id", runID.map(JSONValue.string)), ("session_id", sessionID.map(JSONValue.string)),
            ("on_disconnect", onDisconnect == .continue ? nil : .string(onDisconnect.rawValue)),
            ("additional_data", additionalData), ("session_state", sessionState),
        ]
    }
}

/// `stream`: every event of a run after `after_seq`, replayed and then live, then `end`.
public struct StreamRequest: Sendable, Equatable {
    public var runID: String
    public var afterSeq: Int
    public init(runID: String, afterSeq: Int = 0) {
        self.runID = runID
        self.afterSeq = afterSeq
    }
    init(_ p: Params) throws(ProtocolError) {
        runID = try p.string("run_id")
        afterSeq = try p.optionalInt("after_seq") ?? 0
        if afterSeq < 0 { throw .badRequest("parameter 'after_seq' must be 0 or more") }
    }
    var parameters: [(String, JSONValue?)] { [("run_id", .string(runID)), ("after_seq", .int(afterSeq))] }
}

/// `cancel`: cancel a PENDING or RUNNING run.
public struct CancelRequest: Sendable, Equatable {
    public var runID: String
    public var reason: String?
    public init(runID: String, reason: String? = nil) {
        self.runID = runID
        self.reason = reason
    }
    init(_ p: Params) throws(ProtocolError) {
        runID = try p.string("run_id")
        reason = try p.optionalString("reason")
    }
    var parameters: [(String, JSONValue?)] { [("run_id", .string(runID)), ("reason", reason.map(JSONValue.string))] }
}

/// `status`: one run's summary.
public struct StatusRequest: Sendable, Equatable {
    public var runID: String
    public init(runID: String) { self.runID = runID }
    init(_ p: Params) throws(ProtocolError) { runID = try p.string("run_id") }
    var parameters: [(String, JSONValue?)] { [("run_id", .string(runID))] }
}

/// `list`: the caller's runs, newest first.
public struct ListRequest: Sendable, Equatable {
    public var statuses: [RunStatus]?
    public var limit: Int
    public var allUsers: Bool
    public init(statuses: [RunStatus]? = nil, limit: Int = 50, allUsers: Bool = false) {
        self.statuses = statuses
        self.limit = limit
        self.allUsers = allUsers
    }
    init(_ p: Params) throws(ProtocolError) {
        if let names = try p.optionalStringList("status") {
            var statuses: [RunStatus] = []
            for name in names {
                guard let s = RunStatus(rawValue: name.uppercased()) else {
                    throw .badRequest(
                        "parameter 'status' has unknown status '\(name)' (one of \(RunStatus.allCases.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                statuses.append(s)
            }
            self.statuses = statuses
        }
        limit = try p.optionalInt("limit") ?? 50
        if limit < 1 { throw .badRequest("parameter 'limit' must be 1 or more") }
        allUsers = try p.optionalBool("all_users") ?? false
    }
    var parameters: [(String, JSONValue?)] {
        [
            ("status", statuses.map { .array($0.map { .string($0.rawValue) }) }), ("limit", .int(limit)),
            ("all_users", allUsers ? .bool(true) : nil),
        ]
    }
}

/// `rm` (an addition, docs/protocol.md): delete a finished run the caller owns.
public struct RemoveRequest: Sendable, Equatable {
    public var runID: String
    public init(runID: String) { self.runID = runID }
    init(_ p: Params) throws(ProtocolError) { runID = try p.string("run_id") }
    var parameters: [(String, JSONValue?)] { [("run_id", .string(runID))] }
}

/// `tool_calls` (an addition, docs/protocol.md): a run's tool calls with their whole results, or one of them.
/// A page at a time (results may be large): those after `after_seq`, at most `limit`; the reply's
/// `next_after_seq` says where the next page starts (null when this was the last).
public struct ToolCallsRequest: Sendable, Equatable {
    public var runID: String
    public var toolCallID: String?
    public var afterSeq: Int
    public var limit: Int
    public static let maxLimit = 1000

    public init(runID: String, toolCallID: String? = nil, afterSeq: Int = 0, limit: Int = 50) {
        self.runID = runID
        self.toolCallID = toolCallID
        self.afterSeq = afterSeq
        self.limit = limit
    }
    init(_ p: Params) throws(ProtocolError) {
        runID = try p.string("run_id")
        toolCallID = try p.optionalString("tool_call_id")
        afterSeq = try p.optionalInt("after_seq") ?? 0
        limit = try p.optionalInt("limit") ?? 50
        if afterSeq < 0 { throw .badRequest("parameter 'after_seq' must be 0 or more") }
        if limit < 1 || limit > Self.maxLimit { throw .badRequest("parameter 'limit' must be 1 to \(Self.maxLimit)") }
    }
    var parameters: [(String, JSONValue?)] {
        [
            ("run_id", .string(runID)), ("tool_call_id", toolCallID.map(JSONValue.string)),
            ("after_seq", afterSeq == 0 ? nil : .int(afterSeq)), ("limit", limit == 50 ? nil : .int(limit)),
        ]
    }
}

/// `continue`: answers a PAUSED run's requirement (approve or reject, with the user-input fields when it
/// asks for them); the run resumes (`StepContinued`), optionally streaming its events on this request.
public struct ContinueRequest: Sendable, Equatable {
    public var runID: String
    public var decision: Review.Decision
    public var input: JSONValue?
    public var stream: Bool

    public init(runID: String, decision: Review.Decision, input: JSONValue? = nil, stream: Bool = false) {
        self.runID = runID
        self.decision = decision
        self.input = input
        self.stream = stream
    }

    init(_ p: Params) throws(ProtocolError) {
        runID = try p.string("run_id")
        let raw = try p.string("decision")
        guard let decision = Review.Decision(rawValue: raw), decision != .timeout else {
            throw .badRequest("parameter 'decision' must be \"approve\" or \"reject\", not \"\(raw)\"")
        }
        self.decision = decision
        input = try p.optionalObject("input")
        stream = try p.optionalBool("stream") ?? false
    }

    var parameters: [(String, JSONValue?)] {
        [("run_id", .string(runID)), ("decision", .string(decision.rawValue)), ("input", input), ("stream", stream ? .bool(true) : nil)]
    }
}
