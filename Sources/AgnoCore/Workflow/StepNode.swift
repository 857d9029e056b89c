/// A node of a workflow's step tree. Only agent steps exist today; `Parallel`, `Condition`, `Loop` and
/// `Router` become further cases, and the executor already walks a tree rather than a flat list.
public indirect enum StepNode: Sendable, Equatable {
    case agent(AgentStep)

    /// The names of the leaf steps under this node, in order (what `status` lists).
    public var leafNames: [String] {
        switch self {
        case .agent(let step): return [step.name]
        }
    }
}

/// A step run by one agent: its input is the run's input (first step) or the previous step's output.
public struct AgentStep: Sendable, Equatable {
    public var name: String
    public var agent: String
    public var description: String?
    public var onError: StepErrorPolicy

    public init(name: String, agent: String, description: String? = nil, onError: StepErrorPolicy = .fail) {
        self.name = name
        self.agent = agent
        self.description = description
        self.onError = onError
    }
}

/// What a failing step does to its run.
public enum StepErrorPolicy: String, Sendable, Equatable {
    /// The run ends ERROR (agnod's default, unlike agno's).
    case fail
    /// The step is marked ERROR and the next step gets the previous step's output.
    case skip
}
