/// A workflow as loaded from its file.
public struct WorkflowDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var agents: [String: AgentDefinition]
    public var steps: [StepNode]
    /// Tool calls allowed per run (nil: the daemon's default).
    public var toolCallLimit: Int?
    /// The file it came from.
    public var file: String

    public init(name: String, description: String = "", agents: [String: AgentDefinition], steps: [StepNode], toolCallLimit: Int? = nil, file: String = "") {
        self.name = name
        self.description = description
        self.agents = agents
        self.steps = steps
        self.toolCallLimit = toolCallLimit
        self.file = file
    }

    /// The leaf step names in order.
    public var stepNames: [String] { steps.flatMap(\.leafNames) }

    /// Every model string its agents use (`default` or `provider:model`).
    public var models: Set<String> { Set(agents.values.map(\.model)) }
}
