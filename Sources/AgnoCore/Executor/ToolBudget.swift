import Synchronization

/// The tool calls a run may still make (its `tool_call_limit`), shared by all its steps.
final class ToolBudget: Sendable {
    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Takes one call from the budget; false when the limit is reached.
    func take() -> Bool {
        used.withLock { n in
            guard n < limit else { return false }
            n += 1
            return true
        }
    }

    var exhausted: Bool { used.withLock { $0 >= limit } }
}
