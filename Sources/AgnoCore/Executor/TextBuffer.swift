/// The text an agent has written so far in this step, readable when the step is cancelled.
final class TextBuffer: @unchecked Sendable {
    private var text = ""
    // Only the run's own task appends and reads.
    func append(_ s: String) { text += s }
    var value: String { text }
}
