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

    static var now: JSONValue { .double((Date().timeIntervalSince1970 * 1000).rounded() / 1000) }

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
        .compactObject(
            [
                ("event", .string(name.rawValue)), ("created_at", Self.now), ("run_id", .string(context.agentRunID)),
                ("workflow_run_id", .string(runID)), ("session_id", .string(sessionID)),
            ] + context.place.fields + [("agent_id", .string(context.agentID)), ("agent_name", .string(context.agentName))] + fields)
    }

    /// Where an agent runs: the ids agent-level events carry.
    public struct AgentContext: Sendable {
        public var agentRunID: String
        public var place: StepPlace
        public var agentID: String
        public var agentName: String

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
