import AgnoClient
import AgnoProtocol
import ArgumentParser

extension AgnoctlCommand {
    /// `agnoctl status RUN_ID`.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run's status, steps and output.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The run's id.")
        var runID: String

        @Flag(help: "Print the raw run summary.")
        var json = false

        func run() throws {
            let connection = try options.connect()
            let result: JSONValue
            do {
                result = try connection.result(.status(StatusRequest(runID: runID)))
            } catch {
                throw Output.fail(error)
            }
            if json { return Output.json(result) }
            guard let run = RunSummary(json: result) else { throw Output.fail(ClientError.badReply(result.encodedString)) }
            var lines = [
                "Run ID:   \(run.runID)", "Workflow: \(run.workflow)", "Status:   \(run.status.rawValue)",
                "Owner:    \(run.owner) (uid \(run.ownerUID))", "Created:  \(Timestamp.rfc3339(run.createdAt))",
            ]
            if let error = run.error { lines.append("Error:    \(error)") }
            if let who = run.cancelledBy { lines.append("Cancelled by: \(who)") }
            lines.append("Input:    \(run.input)")
            if let metrics = run.metrics { lines.append("Tokens:   \(MetricsText.line(metrics))") }
            if !run.steps.isEmpty { lines.append("Steps:") }
            lines += StepTree.lines(run.steps, waitingFor: run.waitingFor)
            if let requirement = run.waitingFor {
                let notice = PauseNotice(runID: run.runID, requirement: requirement, socket: options.socket)
                lines.append("Waiting:  \(notice.headline)")
                lines += notice.details(indent: "          ")
                lines += ["Answer:   \(notice.commands.approve)", "      or: \(notice.commands.reject)"]
            }
            if !run.reviews.isEmpty { lines.append("Reviews:") }
            lines += run.reviews.map(Self.line)
            if let content = run.content { lines.append("Content:\n\(content)") }
            Output.out(lines.joined(separator: "\n") + "\n")
        }

        /// `  publish  confirmation  approved by alice at 2026-…`, with the input given and what it did.
        static func line(_ review: Review) -> String {
            var line = "  \(review.stepPath)  \(review.kind.rawValue)  "
            switch review.decision {
            case .approve: line += "approved by \(review.by)"
            case .reject: line += "rejected by \(review.by)"
            case .timeout: line += "not answered in time"
            }
            line += " at \(Timestamp.rfc3339(review.at))"
            if let input = review.input { line += " with \(input.encodedString)" }
            if review.action.rawValue != review.decision.rawValue { line += " (\(review.action.rawValue))" }
            return line
        }
    }
}
