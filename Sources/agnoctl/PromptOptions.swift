import ArgumentParser

/// What agnoctl does when a run it follows pauses for a human review.
struct PromptOptions: ParsableArguments {
    @Flag(
        name: .customLong("no-input"),
        help: "When the run pauses for a review, do not ask: print what it waits for and how to answer, and exit 3.")
    var noInput = false

    /// The prompt to answer pauses with: only when a person is at the terminal and the output is text.
    func prompt(json: Bool) -> PausePrompt? {
        !noInput && !json && PausePrompt.possible ? PausePrompt() : nil
    }
}
