/// What the executor needs from the daemon: models, tools and defaults.
public struct ExecutionEnvironment: Sendable {
    public var models: ModelResolver
    public var tools: ToolRegistry
    /// Tool calls per run when the workflow does not say.
    public var defaultToolCallLimit: Int
    /// Longest tool result kept in a ToolCallCompleted event (the model gets all of it).
    public var eventResultLimit: Int
    /// Where runs, steps, model and tool calls are counted and timed.
    public var metrics: AgnoMetrics

    public init(
        models: ModelResolver, tools: ToolRegistry, defaultToolCallLimit: Int = 20, eventResultLimit: Int = 4096,
        metrics: AgnoMetrics = .disabled
    ) {
        self.metrics = metrics
        self.models = models
        self.tools = tools
        self.defaultToolCallLimit = defaultToolCallLimit
        self.eventResultLimit = eventResultLimit
    }
}
