import AgnoProtocol
import Foundation

/// Builds event objects with agno's names and fields: `event`, `created_at`, `run_id` first, null fields left out.
public struct RunEvents: Sendable {
    public let runID: String
    public let sessionID: String
    public let workflowName: String

    public init(runID: String, sessionID: String, workflowName: String) {
        self.runID = runID
        self.sessionID = sessionID
        self.workflowName = workflowName
    }

    public init(record: RunRecord) {
        self.init(runID: record.runID, sessionID: record.sessionID, workflowName: record.workflow.name)
    }

    static var now: JSONValue { .double(Double(EventTime.nowMilliseconds) / 1000) }

    /// A workflow-level event, carrying the workflow run's id.
    public func workflow(_ name: EventName, _ fields: [(String, JSONValue?)] = []) -> JSONValue {
        .compactObject(
            [
                ("event", .string(name.rawValue)), ("created_at", Self.now), ("run_id", .string(runID)),
                ("session_id", .string(sessionID)), ("workflow_name", .string(workflowName)),
            ] + fields)
    }

    /// A step-level event: which node (name, pre-order index, path with loop iterations) and, inside a
    /// loop or a retried node, the iteration and attempt.
    public func step(_ name: EventName, _ place: StepPlace, _ fields: [(String, JSONValue?)] = []) -> JSONValue {
        workflow(name, place.fields + fields)
    }

    /// An agent-level event, carrying the agent run's own id and where it runs in the workflow.
    public func agent(_ name: EventName, _ context: AgentContext, _ fields: [(String, JSONValue?)] = []) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("event", .string(name.rawValue)), ("created_at", Self.now), ("run_id", .string(context.agentRunID)),
        ]
        pairs += constantFields(context.place, agentID: context.agentID, agentName: context.agentName)
        for (key, value) in fields { if let value { pairs.append((key, value)) } }
        return .object(pairs)
    }

    /// The fields every agent-level event of a step carries after `event`, `created_at` and `run_id`.
    func constantFields(_ place: StepPlace, agentID: String, agentName: String) -> [(String, JSONValue)] {
        let constant: [(String, JSONValue?)] =
            [("workflow_run_id", .string(runID)), ("session_id", .string(sessionID))] + place.fields
            + [("agent_id", .string(agentID)), ("agent_name", .string(agentName))]
        return constant.compactMap { key, value in value.map { (key, $0) } }
    }

    /// Where an agent runs, for the events of one step. What its streamed pieces' events carry besides their
    /// time and text is encoded once per step, not once per piece (the other agent-level events, a few per
    /// step, build their fields when made: a waiting run keeps only the bytes).
    public func agentContext(agentRunID: String, place: StepPlace, agentID: String, agentName: String) -> AgentContext {
        AgentContext(
            agentRunID: agentRunID, place: place, agentID: agentID, agentName: agentName,
            contentMiddle: Self.contentMiddle(agentRunID: agentRunID, constantFields(place, agentID: agentID, agentName: agentName)))
    }

    /// Where an agent runs: the ids agent-level events carry.
    public struct AgentContext: Sendable {
        public let agentRunID: String
        public let place: StepPlace
        public let agentID: String
        public let agentName: String
        /// What a `RunContent` event of the step carries between its time and its text, encoded once
        /// (`RunEvents.runContent`).
        let contentMiddle: [UInt8]

        public var stepName: String { place.name }
        public var stepIndex: Int { place.index }
    }
}

extension RunEvents {
    /// The one event of a run cancelled before it started.
    public func pendingCancelled(_ reason: String) -> JSONValue {
        workflow(.workflowCancelled, [("reason", .string(reason)), ("is_cancelled", .bool(true))])
    }
}
