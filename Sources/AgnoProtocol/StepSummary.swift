/// One node of a run's step tree as `status` shows it. The run summary lists every node in pre-order
/// (`index`), each with its `path` from the top (`gather/web`); nesting is the path's depth.
public struct StepSummary: Sendable, Equatable {
    public var name: String
    public var index: Int
    public var status: RunStatus
    public var content: String?
    public var error: String?
    /// Names from the top level down to this node, joined by `/` (the name alone at the top level).
    public var path: String
    /// agno's node type: `Step` (an agent step), `Steps`, `Parallel`, `Condition`, `Loop`, `Router`.
    public var type: String
    /// Inside a loop: the iteration this status is from. For a Loop: the iterations run so far.
    public var iteration: Int?
    /// For a node with `max_retries`: the attempt this status is from (1-based).
    public var attempt: Int?
    /// An agent step's model calls: tokens, cost and times (nil before its first model call).
    public var metrics: RunMetrics?

    public init(
        name: String, index: Int, status: RunStatus = .pending, content: String? = nil, error: String? = nil, path: String? = nil,
        type: String = "Step", iteration: Int? = nil, attempt: Int? = nil, metrics: RunMetrics? = nil
    ) {
        self.name = name
        self.index = index
        self.status = status
        self.content = content
        self.error = error
        self.path = path ?? name
        self.type = type
        self.iteration = iteration
        self.attempt = attempt
        self.metrics = metrics
    }

    /// How deep the node is nested (0 at the top level).
    public var depth: Int { path.split(separator: "/").count - 1 }

    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("name", .string(name)), ("index", .int(index)), ("path", .string(path)), ("type", .string(type)),
            ("status", .string(status.rawValue)), ("content", .optional(content)), ("error", .optional(error)),
            ("iteration", iteration.map(JSONValue.int) ?? .null), ("attempt", attempt.map(JSONValue.int) ?? .null),
        ]
        if let metrics { pairs.append(("metrics", metrics.json)) }
        return .object(pairs)
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let index = json["index"]?.intValue,
            let status = json["status"]?.stringValue.flatMap(RunStatus.init(rawValue:))
        else { return nil }
        self.init(
            name: name, index: index, status: status, content: json["content"]?.stringValue, error: json["error"]?.stringValue,
            path: json["path"]?.stringValue, type: json["type"]?.stringValue ?? "Step", iteration: json["iteration"]?.intValue,
            attempt: json["attempt"]?.intValue, metrics: json["metrics"].flatMap(RunMetrics.init(json:)))
    }
}
