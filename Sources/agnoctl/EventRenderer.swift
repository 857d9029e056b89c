import AgnoClient
import AgnoProtocol
import Foundation

/// Shows a run's stream as a person wants it: content on stdout, step headers, tools and the outcome on stderr.
struct EventRenderer {
    var json: Bool
    var totalSteps: Int?
    private var lastSeq = 0
    private var midLine = false

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
                Output.out(text)
                midLine = !text.hasSuffix("\n")
            }
        case "StepStarted":
            finishLine()
            let index = event["step_index"]?.intValue ?? 0
            let of = totalSteps.map { "/\($0)" } ?? ""
            Output.err("── step \(index + 1)\(of): \(event["step_name"]?.stringValue ?? "?") ──\n")
        case "StepCompleted":
            finishLine()
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
