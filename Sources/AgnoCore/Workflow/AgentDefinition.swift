/// An agent as a workflow file declares it: a model, tools and instructions.
public struct AgentDefinition: Sendable, Equatable {
    /// The key under `agents:` that steps refer to.
    public var key: String
    /// The display name, as agno's `Agent(name=…)`.
    public var name: String
    /// `default`, or `provider:model`.
    public var model: String
    /// Tool names: built-ins (`calculator`, `datetime`, …) and later `server.tool`.
    public var tools: [String]
    public var instructions: String
    /// `auto`, `none`, `required`, or a tool name: what the first model call of the step must do.
    public var toolChoice: String?
    public var temperature: Double?
    public var maxTokens: Int?

    public init(key: String, name: String, model: String = "default", tools: [String] = [], instructions: String = "",
                toolChoice: String? = nil, temperature: Double? = nil, maxTokens: Int? = nil) {
        self.key = key
        self.name = name
        self.model = model
        self.tools = tools
        self.instructions = instructions
        self.toolChoice = toolChoice
        self.temperature = temperature
        self.maxTokens = maxTokens
    }
}
