/// One tool call of a run as the run record keeps it (`tool_calls`): the whole result the model got, where the
/// events carry it cut to 4 KiB.
public struct ToolCallRecord: Sendable, Equatable {
    /// The seq of the call's `ToolCallCompleted` or `ToolCallError` event.
    public var seq: Int
    public var toolCallID: String
    public var stepIndex: Int
    public var stepName: String
    public var agentID: String
    public var name: String
    /// The parsed arguments, or the raw string when the model sent invalid JSON.
    public var arguments: JSONValue
    public var result: String?
    public var error: String?
    public var durationMS: Double

    public init(
        seq: Int = 0, toolCallID: String, stepIndex: Int, stepName: String, agentID: String, name: String,
        arguments: JSONValue, result: String?, error: String?, durationMS: Double
    ) {
        self.seq = seq
        self.toolCallID = toolCallID
        self.stepIndex = stepIndex
        self.stepName = stepName
        self.agentID = agentID
        self.name = name
        self.arguments = arguments
        self.result = result
        self.error = error
        self.durationMS = durationMS
    }

    public var json: JSONValue {
        .object([
            ("seq", .int(seq)), ("tool_call_id", .string(toolCallID)), ("step_index", .int(stepIndex)),
            ("step_name", .string(stepName)), ("agent_id", .string(agentID)), ("name", .string(name)),
            ("arguments", arguments), ("result", .optional(result)), ("error", .optional(error)),
            ("duration_ms", .double(durationMS)),
        ])
    }

    public init?(json: JSONValue) {
        guard let seq = json["seq"]?.intValue, let id = json["tool_call_id"]?.stringValue, let name = json["name"]?.stringValue else {
            return nil
        }
        self.init(
            seq: seq, toolCallID: id, stepIndex: json["step_index"]?.intValue ?? 0, stepName: json["step_name"]?.stringValue ?? "",
            agentID: json["agent_id"]?.stringValue ?? "", name: name, arguments: json["arguments"] ?? .null,
            result: json["result"]?.stringValue, error: json["error"]?.stringValue,
            durationMS: json["duration_ms"]?.doubleValue ?? 0)
    }
}
