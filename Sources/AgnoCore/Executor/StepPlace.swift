import AgnoProtocol

/// Where in a run's tree an event happens: the node's name, pre-order index and path, with the loop
/// iteration the path goes through (`refine[2]/draft`) and the attempt of a node that may be retried.
public struct StepPlace: Sendable, Equatable {
    public var name: String
    public var index: Int
    public var path: String
    public var type: String
    /// The innermost loop iteration (1-based), inside a loop.
    public var iteration: Int?
    /// The attempt (1-based) of the innermost node that has `max_retries`.
    public var attempt: Int?
    /// A step started again after agnod restarted (its first attempt since).
    public var resumed = false

    public init(name: String, index: Int, path: String, type: String, iteration: Int? = nil, attempt: Int? = nil, resumed: Bool = false) {
        self.name = name
        self.index = index
        self.path = path
        self.type = type
        self.iteration = iteration
        self.attempt = attempt
        self.resumed = resumed
    }

    /// The fields events carry, null ones left out.
    var fields: [(String, JSONValue?)] {
        [
            ("step_name", .string(name)), ("step_index", .int(index)), ("step_path", .string(path)),
            ("step_type", type == "Step" ? nil : .string(type)), ("iteration", iteration.map(JSONValue.int)),
            ("attempt", attempt.map(JSONValue.int)), ("resumed", resumed ? .bool(true) : nil),
        ]
    }
}
