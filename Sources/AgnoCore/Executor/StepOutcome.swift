/// How one step ended.
enum StepOutcome: Sendable {
    case completed(String)
    case failed(String)
    case cancelled(partial: String)
}
