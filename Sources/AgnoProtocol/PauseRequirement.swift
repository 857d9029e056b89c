import Foundation

/// What a PAUSED run waits for: one node's human review (agno's HumanReview requirement). `status` and
/// `list` show it as the run's `waiting_for`; the `StepPaused` event carries it as `requirement`.
public struct PauseRequirement: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Before the node runs: approve or reject.
        case confirmation
        /// Before the node runs: approve with the fields of `schema`, or reject.
        case userInput = "user_input"
        /// After the node ran, before its output is used: approve the output (`content`) or reject it.
        case outputReview = "output_review"
    }

    public var kind: Kind
    public var stepName: String
    public var stepIndex: Int
    /// With loop iterations (`refine[2]/draft`); for a Loop's review before an iteration, `NAME[i]`.
    public var stepPath: String
    public var message: String?
    public var schema: [InputField]
    /// The output under review (output review only).
    public var content: String?
    /// What a rejection does: `skip`, `cancel` or `retry`.
    public var onReject: String
    /// When the run stops waiting (then `onTimeout`: `cancel`, `skip` or `approve`), if it has a timeout.
    public var expiresAt: Date?
    public var onTimeout: String?
    public var pausedAt: Date
    /// The seq of the `StepPaused` event.
    public var seq: Int

    public init(
        kind: Kind, stepName: String, stepIndex: Int, stepPath: String, message: String? = nil, schema: [InputField] = [],
        content: String? = nil, onReject: String = "cancel", expiresAt: Date? = nil, onTimeout: String? = nil, pausedAt: Date = Date(),
        seq: Int = 0
    ) {
        self.kind = kind
        self.stepName = stepName
        self.stepIndex = stepIndex
        self.stepPath = stepPath
        self.message = message
        self.schema = schema
        self.content = content
        self.onReject = onReject
        self.expiresAt = expiresAt
        self.onTimeout = onTimeout
        self.pausedAt = pausedAt
        self.seq = seq
    }

    public var json: JSONValue {
        .compactObject([
            ("kind", .string(kind.rawValue)), ("step_name", .string(stepName)), ("step_index", .int(stepIndex)),
            ("step_path", .string(stepPath)), ("message", message.map(JSONValue.string)),
            ("schema", .array(schema.map(\.json))), ("content", content.map(JSONValue.string)), ("on_reject", .string(onReject)),
            ("expires_at", expiresAt.map { .string(Timestamp.rfc3339($0)) }), ("on_timeout", onTimeout.map(JSONValue.string)),
            ("paused_at", .string(Timestamp.rfc3339(pausedAt))), ("seq", seq > 0 ? .int(seq) : nil),
        ])
    }

    public init?(json: JSONValue) {
        guard let kind = json["kind"]?.stringValue.flatMap(Kind.init(rawValue:)), let name = json["step_name"]?.stringValue,
            let path = json["step_path"]?.stringValue
        else { return nil }
        self.init(
            kind: kind, stepName: name, stepIndex: json["step_index"]?.intValue ?? 0, stepPath: path,
            message: json["message"]?.stringValue, schema: json["schema"]?.arrayValue?.compactMap(InputField.init(json:)) ?? [],
            content: json["content"]?.stringValue, onReject: json["on_reject"]?.stringValue ?? "cancel",
            expiresAt: json["expires_at"]?.stringValue.flatMap(Timestamp.parse), onTimeout: json["on_timeout"]?.stringValue,
            pausedAt: json["paused_at"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0),
            seq: json["seq"]?.intValue ?? 0)
    }
}
