import AgnoProtocol
import Synchronization

/// What a node inherits from the nodes above it: the path prefix (with loop iterations), the innermost
/// iteration and attempt, the interrupts that may cancel it, and the loop iterations that collect outputs.
struct WalkScope: Sendable {
    /// The fields, behind one reference (as `StepNode`'s): a scope is a parameter and a local of every level
    /// of the walker's async functions, whose frames a run keeps while it runs. A change makes a new box.
    private indirect enum Box: Sendable { case fields(Fields) }

    private struct Fields: Sendable {
        var parentPath: String?
        var iteration: Int?
        var attempt: Int?
        var interrupts: [Interrupt] = []
        var collectors: [IterationCollector] = []
        var resumed = false
        var answer: Review?
    }

    private var box = Box.fields(Fields())
    private var fields: Fields {
        get {
            switch box {
            case .fields(let f): return f
            }
        }
        set { box = .fields(newValue) }
    }

    /// The parent's path as events show it (`refine[2]`), nil at the top.
    var parentPath: String? {
        get { fields.parentPath }
        set { fields.parentPath = newValue }
    }
    var iteration: Int? {
        get { fields.iteration }
        set { fields.iteration = newValue }
    }
    var attempt: Int? {
        get { fields.attempt }
        set { fields.attempt = newValue }
    }
    var interrupts: [Interrupt] {
        get { fields.interrupts }
        set { fields.interrupts = newValue }
    }
    var collectors: [IterationCollector] {
        get { fields.collectors }
        set { fields.collectors = newValue }
    }
    /// The node's first attempt after a restart (its events say `resumed: true`); not inherited.
    var resumed: Bool {
        get { fields.resumed }
        set { fields.resumed = newValue }
    }
    /// The answer to the review of this node or the nearest node above with one: its user input reaches
    /// the agents below.
    var answer: Review? {
        get { fields.answer }
        set { fields.answer = newValue }
    }

    init() {}

    /// Where `node` runs in this scope.
    func place(of node: StepNode) -> StepPlace {
        StepPlace(
            name: node.name, index: node.index, path: parentPath.map { "\($0)/\(node.name)" } ?? node.name, type: node.typeName,
            iteration: iteration, attempt: attempt, resumed: resumed)
    }

    /// The scope of `node`'s children.
    func below(_ node: StepNode, iteration: Int? = nil) -> WalkScope {
        var child = self
        child.resumed = false
        let path = place(of: node).path
        if let iteration {
            child.parentPath = "\(path)[\(iteration)]"
            child.iteration = iteration
        } else {
            child.parentPath = path
        }
        return child
    }

    func with(_ interrupt: Interrupt) -> WalkScope {
        var s = self
        s.interrupts.append(interrupt)
        return s
    }

    /// The innermost interrupt that fired (what cancelled this part of the tree), if any.
    var firedInterrupt: (kind: Interrupt.Kind, reason: String)? {
        for interrupt in interrupts.reversed() { if let reason = interrupt.reason { return (interrupt.kind, reason) } }
        return nil
    }
}

/// One loop iteration's step outputs and whether all its steps succeeded (the end condition's
/// `step_outputs` and `all_success`).
final class IterationCollector: Sendable {
    private let state = Mutex<(outputs: [(String, String)], allSuccess: Bool)>(([], true))

    func record(_ name: String, _ output: String, succeeded: Bool) {
        state.withLock { s in
            s.outputs.append((name, output))
            if !succeeded { s.allSuccess = false }
        }
    }

    var outputs: [(String, String)] { state.withLock { $0.outputs } }
    var allSuccess: Bool { state.withLock { $0.allSuccess } }
}
