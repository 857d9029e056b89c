import AgnoClient
import AgnoProtocol
import Foundation

/// Shows a run's stream as a person wants it: content on stdout, step headers, tools and the outcome on stderr.
struct EventRenderer {
    var json: Bool
    var totalSteps: Int?
    private var lastSeq = 0
    private var midLine = false
    /// The step whose content was printed last: when another one's arrives (parallel branches), a header says whose it is.
    private var contentPath: String?

    init(json: Bool, totalSteps: Int? = nil) {
        self.json = json
        self.totalSteps = totalSteps
    }

    var seenSeq: Int { lastSeq }

    mutating func show(_ raw: RawReply) {
        if json { return Output.raw(raw.line) }
        switch raw.reply {
        case .event(_, let seq, let event):
            lastSeq = seq
            show(event: event)
        case .end(_, let run):
            finishLine()
            showEnd(run)
        case .error(_, let error):
            finishLine()
            Output.error("\(error.message) [\(error.code.rawValue)]")
        case .result: break
        }
    }

    private mutating func show(event: JSONValue) {
        let name = event["event"]?.stringValue ?? ""
        switch name {
        case "RunContent":
            if let text = event["content"]?.stringValue {
                let path = event["step_path"]?.stringValue
                if path != contentPath {
                    if contentPath != nil {
                        finishLine()
                        Output.err("\(indent(event))── \(path ?? "?") (continued) ──\n")
                    }
                    contentPath = path
                }
                Output.out(text)
                midLine = !text.hasSuffix("\n")
            }
        case "StepStarted":
            finishLine()
            contentPath = event["step_path"]?.stringValue
            Output.err("\(indent(event))── \(stepLabel(event)) ──\n")
        case "StepCompleted":
            finishLine()
        case "ParallelExecutionStarted", "ConditionExecutionStarted", "LoopIterationStarted", "RouterExecutionStarted",
            "StepsExecutionStarted":
            finishLine()
            Output.err("\(indent(event))▸ \(Self.describe(name, event))\n")
        case "ToolCallStarted":
            finishLine()
            let tool = event["tool"]
            Output.err("  → \(tool?["name"]?.stringValue ?? "?")(\(tool?["arguments"]?.encodedString ?? ""))\n")
        case "ToolCallCompleted":
            let tool = event["tool"]
            Output.err("  ← \(String((tool?["result"]?.stringValue ?? "").prefix(200)))\n")
        case "ToolCallError":
            let tool = event["tool"]
            Output.err("  ✗ \(tool?["name"]?.stringValue ?? "?"): \(tool?["error"]?.stringValue ?? "")\n")
        case "RunError", "StepError":
            finishLine()
            Output.err("✗ \(name): \(event["content"]?.stringValue ?? event["error"]?.stringValue ?? "")\n")
        case "RunCancelled":
            finishLine()
        default: break
        }
    }

    /// `step 2: writing`, or for nested steps their path, with the iteration and attempt when there are some.
    private func stepLabel(_ event: JSONValue) -> String {
        let path = event["step_path"]?.stringValue ?? event["step_name"]?.stringValue ?? "?"
        var label =
            path.contains("/") ? path : "step \((event["step_index"]?.intValue ?? 0) + 1)\(totalSteps.map { "/\($0)" } ?? ""): \(path)"
        if let attempt = event["attempt"]?.intValue { label += " (attempt \(attempt))" }
        return label
    }

    /// Two spaces per level of nesting.
    private func indent(_ event: JSONValue) -> String {
        let depth = (event["step_path"]?.stringValue ?? "").split(separator: "/").count - 1
        return String(repeating: "  ", count: max(depth, 0))
    }

    /// One line for the start of a construct: what it is and what it decided.
    static func describe(_ name: String, _ event: JSONValue) -> String {
        let step = event["step_name"]?.stringValue ?? "?"
        switch name {
        case "ParallelExecutionStarted": return "Parallel \(step): \(event["parallel_step_count"]?.intValue ?? 0) branches at once"
        case "ConditionExecutionStarted":
            return "Condition \(step): \(event["condition_result"]?.boolValue.map { $0 ? "true" : "false" } ?? "?")"
        case "LoopIterationStarted":
            return "Loop \(step): iteration \(event["iteration"]?.intValue ?? 0)/\(event["max_iterations"]?.intValue ?? 0)"
        case "RouterExecutionStarted":
            let chosen = (event["selected_steps"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
            return "Router \(step) → \(chosen)"
        default: return "Steps \(step)"
        }
    }

    private mutating func finishLine() {
        if midLine {
            Output.out("\n")
            midLine = false
        }
    }

    private func showEnd(_ run: RunSummary) {
        var line = "run \(run.runID) \(run.status.rawValue)"
        if let started = run.startedAt, let finished = run.finishedAt {
            line += String(format: " in %.1f s", finished.timeIntervalSince(started))
        }
        if let error = run.error { line += ": \(error)" }
        Output.err(line + "\n")
    }
}
