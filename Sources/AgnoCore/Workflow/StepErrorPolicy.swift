/// What a failing step does to its run.
public enum StepErrorPolicy: String, Sendable, Equatable {
    /// The run ends ERROR (agnod's default, unlike agno's).
    case fail
    /// The step is marked ERROR and the next step gets the previous step's output.
    case skip
}
