import AgnoProtocol

/// A run's or a step's metrics as `agnoctl status` prints them.
enum MetricsText {
    /// `1,234 tokens (1,000 in, 234 out)`, with `~` when agnod counted them.
    static func tokens(_ m: RunMetrics) -> String {
        let mark = m.usageEstimated ? "~" : ""
        return "\(mark)\(grouped(m.totalTokens)) tokens (\(grouped(m.inputTokens)) in, \(grouped(m.outputTokens)) out)"
    }

    /// The tokens, then the model calls, the cost, the time to first token and the duration when known.
    static func line(_ m: RunMetrics) -> String {
        var parts = [tokens(m), "\(m.modelCalls) model call\(m.modelCalls == 1 ? "" : "s")"]
        if let cost = m.cost { parts.append("cost \(fixed(cost, places: 6))") }
        if let ttft = m.timeToFirstToken { parts.append("first token after \(fixed(ttft, places: 3)) s") }
        if let duration = m.duration { parts.append("\(fixed(duration, places: 3)) s") }
        var line = parts.joined(separator: ", ")
        if m.usageEstimated { line += " (~: counted by agnod, the model server reported no usage)" }
        return line
    }

    static func grouped(_ n: Int) -> String {
        var digits = String(n.magnitude)
        var out = ""
        while digits.count > 3 {
            out = "," + digits.suffix(3) + out
            digits.removeLast(3)
        }
        return (n < 0 ? "-" : "") + digits + out
    }

    static func fixed(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((value * scale).rounded())
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        while fraction.count < places { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }
}
