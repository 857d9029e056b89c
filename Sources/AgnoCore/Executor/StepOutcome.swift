import AgnoProtocol

/// How one node of the step tree ended.
enum StepOutcome: Sendable {
    /// It produced `output`; `succeeded` is false when it failed but says `on_error: skip` (the output is
    /// then its input, passed through).
    case completed(String, succeeded: Bool = true)
    case failed(String)
    case cancelled(partial: String)
    /// It waits for a person: the run pauses (the other branches of a Parallel finish first). Boxed: an
    /// outcome is a slot of every level of the walker's frames, and a requirement inline is ~140 bytes.
    indirect case paused(PauseRequirement)
}
