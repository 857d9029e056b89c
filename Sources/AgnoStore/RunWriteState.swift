import AgnoProtocol

/// What this process last stored for a run it writes to. Updated only after a commit succeeded.
struct RunWriteState {
    /// The steps as stored: a commit writes only the rows that changed (a 20-node tree changes one or two
    /// nodes per commit).
    var steps: [StepSummary]
    /// The last seq stored (a commit refuses an event stored already).
    var lastSeq: Int
    var row: RunRow?
}
