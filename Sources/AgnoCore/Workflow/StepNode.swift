/// A node of a workflow's step tree: an agent step, or a construct over child nodes (agno's Step, Steps,
/// Parallel, Condition, Loop and Router). Every node knows its place: `index` counts the nodes of the whole
/// tree in pre-order (the run summary's `steps` are in that order), `path` names it from the root
/// (`gather/web`; events add loop iterations: `refine[2]/draft`).
public struct StepNode: Sendable, Equatable {
    /// The fields, behind one reference: a node is a parameter and a local of every level of the recursive
    /// walker's async functions, whose task-allocator frames a run keeps for as long as it runs; a node
    /// inline (~200 bytes, with its options and review) made each of those frames hundreds of bytes larger.
    /// Nodes are built once, when a workflow file is read; a change makes a new box.
    private indirect enum Box: Sendable, Equatable { case fields(Fields) }

    private struct Fields: Sendable, Equatable {
        var name: String
        var kind: Kind
        var options: NodeOptions
        var description: String?
        var index: Int
        var path: String
        var line: Int?
    }

    private var box: Box
    private var fields: Fields {
        get {
            switch box {
            case .fields(let f): return f
            }
        }
        set { box = .fields(newValue) }
    }

    public var name: String {
        get { fields.name }
        set { fields.name = newValue }
    }
    public var kind: Kind {
        get { fields.kind }
        set { fields.kind = newValue }
    }
    public var options: NodeOptions {
        get { fields.options }
        set { fields.options = newValue }
    }
    public var description: String? {
        get { fields.description }
        set { fields.description = newValue }
    }
    /// Position in the tree's pre-order (0-based), and the path of names from the root.
    public var index: Int {
        get { fields.index }
        set { fields.index = newValue }
    }
    public var path: String {
        get { fields.path }
        set { fields.path = newValue }
    }
    /// The file line the node starts on (for messages).
    public var line: Int? {
        get { fields.line }
        set { fields.line = newValue }
    }

    public indirect enum Kind: Sendable, Equatable {
        case agent(AgentStep)
        case steps([StepNode])
        case parallel([StepNode])
        case condition(ConditionNode)
        case loop(LoopNode)
        case router(RouterNode)
    }

    public init(
        name: String, kind: Kind, options: NodeOptions = NodeOptions(), description: String? = nil, index: Int = 0, path: String? = nil,
        line: Int? = nil
    ) {
        box = .fields(
            Fields(name: name, kind: kind, options: options, description: description, index: index, path: path ?? name, line: line))
    }

    /// An agent step (version 1 files hold only these).
    public static func agent(_ step: AgentStep, name: String, options: NodeOptions = NodeOptions()) -> StepNode {
        StepNode(name: name, kind: .agent(step), options: options)
    }

    /// agno's class name for the node (`Step`, `Steps`, `Parallel`, `Condition`, `Loop`, `Router`).
    public var typeName: String {
        switch kind {
        case .agent: return "Step"
        case .steps: return "Steps"
        case .parallel: return "Parallel"
        case .condition: return "Condition"
        case .loop: return "Loop"
        case .router: return "Router"
        }
    }

    /// The direct children, in declaration order (a Condition's `steps`, then its `else_steps`).
    public var children: [StepNode] {
        switch kind {
        case .agent: return []
        case .steps(let nodes), .parallel(let nodes): return nodes
        case .condition(let c): return c.steps + c.elseSteps
        case .loop(let l): return l.steps
        case .router(let r): return r.choices
        }
    }

    /// This node and everything under it, in pre-order.
    public var subtree: [StepNode] { [self] + children.flatMap(\.subtree) }

    /// Nesting depth below the top level (0 for top-level nodes).
    public var depth: Int { path.split(separator: "/").count - 1 }
}
