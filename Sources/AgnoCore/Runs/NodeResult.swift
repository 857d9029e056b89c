/// One node of a run that is done, as the run's position keeps it: durable resume and pause read the
/// completed nodes (with their outputs) to know where the run stands. Stored in the same commit as the
/// event that reports the node done.
public struct NodeResult: Sendable, Equatable {
    /// The seq of the event that reports the node done.
    public var seq: Int
    /// The node's path as events show it, with loop iterations (`refine[2]/draft`).
    public var path: String
    /// The node's pre-order index in the workflow.
    public var index: Int
    /// COMPLETED, or ERROR for a failed node that says `on_error: skip` (its output is then its input).
    public var succeeded: Bool
    public var output: String

    public init(seq: Int = 0, path: String, index: Int, succeeded: Bool, output: String) {
        self.seq = seq
        self.path = path
        self.index = index
        self.succeeded = succeeded
        self.output = output
    }
}
