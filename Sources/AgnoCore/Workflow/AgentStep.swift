/// A step run by one agent: its input is the `input` template, or the previous step's output (the run's
/// input for the first step).
public struct AgentStep: Sendable, Equatable {
    public var agent: String
    public var input: InputTemplate?

    public init(agent: String, input: InputTemplate? = nil) {
        self.agent = agent
        self.input = input
    }
}
