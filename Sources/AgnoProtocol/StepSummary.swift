/// One step of a run as `status` shows it.
public struct StepSummary: Sendable, Equatable {
    public var name: String
    public var index: Int
    public var status: RunStatus
    public var content: String?
    public var error: String?

    public init(name: String, index: Int, status: RunStatus = .pending, content: String? = nil, error: String? = nil) {
        self.name = name
        self.index = index
        self.status = status
        self.content = content
        self.error = error
    }

    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("index", .int(index)), ("status", .string(status.rawValue)),
            ("content", .optional(content)), ("error", .optional(error)),
        ])
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue, let index = json["index"]?.intValue,
            let status = json["status"]?.stringValue.flatMap(RunStatus.init(rawValue:))
        else { return nil }
        self.init(name: name, index: index, status: status, content: json["content"]?.stringValue, error: json["error"]?.stringValue)
    }
}
