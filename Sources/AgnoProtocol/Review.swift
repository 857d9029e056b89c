import Foundation

/// One answer to a pause, as the run keeps it (`reviews` in the summary): which node, what was asked,
/// the decision and its input, who gave it and when, and what it did. Replaying the run's tree reads these
/// so that a node answered once is never asked again, also after a restart.
public struct Review: Sendable, Equatable {
    public enum Decision: String, Sendable {
        case approve, reject
        /// Nobody answered within the requirement's `timeout`; `action` is its `on_timeout`.
        case timeout
    }

    /// What the answer does to the node: run it (or use its output), skip it, run it again, or cancel the run.
    public enum Action: String, Sendable {
        case approve, skip, retry, cancel
    }

    public var stepPath: String
    public var kind: PauseRequirement.Kind
    public var decision: Decision
    public var action: Action
    public var input: JSONValue?
    /// The user who answered ("agnod" for a timeout).
    public var by: String
    public var at: Date
    /// The seq of the `StepContinued` event that reports it.
    public var seq: Int

    public init(
        stepPath: String, kind: PauseRequirement.Kind, decision: Decision, action: Action, input: JSONValue? = nil, by: String,
        at: Date = Date(), seq: Int = 0
    ) {
        self.stepPath = stepPath
        self.kind = kind
        self.decision = decision
        self.action = action
        self.input = input
        self.by = by
        self.at = at
        self.seq = seq
    }

    public var json: JSONValue {
        .compactObject([
            ("step_path", .string(stepPath)), ("kind", .string(kind.rawValue)), ("decision", .string(decision.rawValue)),
            ("action", .string(action.rawValue)), ("input", input), ("by", .string(by)), ("at", .string(Timestamp.rfc3339(at))),
            ("seq", .int(seq)),
        ])
    }

    public init?(json: JSONValue) {
        guard let path = json["step_path"]?.stringValue,
            let kind = json["kind"]?.stringValue.flatMap(PauseRequirement.Kind.init(rawValue:)),
            let decision = json["decision"]?.stringValue.flatMap(Decision.init(rawValue:)),
            let action = json["action"]?.stringValue.flatMap(Action.init(rawValue:))
        else { return nil }
        self.init(
            stepPath: path, kind: kind, decision: decision, action: action, input: json["input"], by: json["by"]?.stringValue ?? "",
            at: json["at"]?.stringValue.flatMap(Timestamp.parse) ?? Date(timeIntervalSince1970: 0), seq: json["seq"]?.intValue ?? 0)
    }
}
