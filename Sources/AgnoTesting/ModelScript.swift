/// What the scripted model server answers to one chat-completions request.
public enum ModelScript: Sendable {
    /// Streams these content chunks, waiting `delay` between them.
    case text([String], delay: Duration = .zero)
    /// Streams one tool call (name and JSON arguments), split into small argument deltas.
    case toolCall(name: String, arguments: String)
    /// Streams these chunks, then sends nothing more and keeps the connection open.
    case stall(after: [String])
    /// Answers with this HTTP status and body.
    case httpError(status: Int, body: String)
    /// Streams these chunks, then closes the connection mid-stream.
    case broken(after: [String])
}

extension ModelScript {
    /// `count` words, each chunk `"word "`.
    public static func words(_ word: String, count: Int, delay: Duration = .zero) -> ModelScript {
        .text(Array(repeating: word + " ", count: count), delay: delay)
    }
}
