import Foundation

/// A workflow as loaded from its file.
public struct WorkflowDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var agents: [String: AgentDefinition]
    /// The top-level nodes; each node holds its children.
    public var steps: [StepNode]
    /// Tool calls allowed per run (nil: the daemon's default).
    public var toolCallLimit: Int?
    /// Seconds a whole run may take (nil: no limit).
    public var timeout: TimeInterval?
    /// The file it came from.
    public var file: String
    /// What a run interrupted by a restart of agnod does: resume from its last completed node, or end ERROR.
    public var onRestart: RestartPolicy = .resume
    /// A digest of the file's text: a run resumes only on the file it started on.
    public var digest: String = ""

    public enum RestartPolicy: String, Sendable, Equatable {
        case resume, error
    }
    /// Every node of the tree in pre-order; `nodes[i].index == i`.
    public let nodes: [StepNode]

    public init(
        name: String, description: String = "", agents: [String: AgentDefinition], steps: [StepNode], toolCallLimit: Int? = nil,
        timeout: TimeInterval? = nil, file: String = ""
    ) {
        self.name = name
        self.description = description
        self.agents = agents
        self.steps = WorkflowDefinition.numbered(steps)
        self.toolCallLimit = toolCallLimit
        self.timeout = timeout
        self.file = file
        self.nodes = self.steps.flatMap(\.subtree)
    }

    /// The top-level node names in order.
    public var stepNames: [String] { steps.map(\.name) }

    /// Every model string its agents use (`default` or `provider:model`).
    public var models: Set<String> { Set(agents.values.map(\.model)) }

    /// The nodes with `index` (pre-order) and `path` filled in.
    static func numbered(_ top: [StepNode]) -> [StepNode] {
        var next = 0
        func number(_ node: StepNode, parent: String?) -> StepNode {
            var node = node
            node.index = next
            next += 1
            node.path = parent.map { "\($0)/\(node.name)" } ?? node.name
            let path = node.path
            func all(_ nodes: [StepNode]) -> [StepNode] { nodes.map { number($0, parent: path) } }
            switch node.kind {
            case .agent: break
            case .steps(let nodes): node.kind = .steps(all(nodes))
            case .parallel(let nodes): node.kind = .parallel(all(nodes))
            case .condition(var c):
                c.steps = all(c.steps)
                c.elseSteps = all(c.elseSteps)
                node.kind = .condition(c)
            case .loop(var l):
                l.steps = all(l.steps)
                node.kind = .loop(l)
            case .router(var r):
                r.choices = all(r.choices)
                node.kind = .router(r)
            }
            return node
        }
        return top.map { number($0, parent: nil) }
    }
}
