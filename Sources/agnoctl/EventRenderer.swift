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
    /// Whether this stream showed the pause it ends with (a replay from after `StepPaused` did not).
    private var pauseShown = false

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
        case "StepPaused":
            finishLine()
            if let line = Self.pauseLine(event) { Output.err("\(indent(event))\(line)\n") }
            pauseShown = true
        case "WorkflowPaused":
            finishLine()
            if !pauseShown, let line = Self.pauseLine(event) { Output.err(line + "\n") }
        case "StepContinued":
            finishLine()
            pauseShown = false
            Output.err("\(indent(event))\(Self.continuedLine(event))\n")
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

    /// `⏸ step 'publish' waits for confirmation: Publish it?`
    static func pauseLine(_ event: JSONValue) -> String? {
        guard let requirement = event["requirement"].flatMap(PauseRequirement.init(json:)) else { return nil }
        return "⏸ " + PauseNotice(runID: event["run_id"]?.stringValue ?? "", requirement: requirement).headline
    }

    /// `▶ step 'publish' approved by alice`, with the input given and what a rejection or timeout did.
    static func continuedLine(_ event: JSONValue) -> String {
        let step = event["step_path"]?.stringValue ?? event["step_name"]?.stringValue ?? "?"
        let by = event["by"]?.stringValue ?? "?"
        var line = "▶ step '\(step)' "
        let decision = event["decision"]?.stringValue
        switch decision {
        case "approve": line += "approved by \(by)"
        case "reject": line += "rejected by \(by)"
        default: line += "was not answered in time"
        }
        if let input = event["input"]?.objectValue, !input.isEmpty {
            line += " (" + input.map { "\($0.0)=\($0.1.stringValue ?? $0.1.encodedString)" }.joined(separator: ", ") + ")"
        }
        switch event["action"]?.stringValue {
        case "skip": line += ": skipped"
        case "retry": line += ": it runs again"
        case "cancel": line += ": the run is cancelled"
        case "approve" where decision != "approve": line += ": approved"
        default: break
        }
        return line
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
