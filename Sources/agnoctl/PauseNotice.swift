import AgnoProtocol
import Foundation

/// What a PAUSED run waits for, as agnoctl shows it: the requirement (message, step, output under review,
/// fields, deadline) and the commands that answer it.
struct PauseNotice {
    let runID: String
    let requirement: PauseRequirement
    /// The `--socket` the user gave, so that the commands to answer reach the same agnod.
    var socket: String?

    /// `confirmation`, `input`, `a review of its output`.
    static func wanted(_ kind: PauseRequirement.Kind) -> String {
        switch kind {
        case .confirmation: return "confirmation"
        case .userInput: return "input"
        case .outputReview: return "a review of its output"
        }
    }

    /// `step 'publish' waits for confirmation: Publish it?`
    var headline: String {
        "step '\(requirement.stepPath)' waits for \(Self.wanted(requirement.kind))" + (requirement.message.map { ": \($0)" } ?? "")
    }

    /// The output under review, the fields asked for, what a rejection does and the deadline, indented by `indent`.
    func details(indent: String = "  ") -> [String] {
        var lines: [String] = []
        if let content = requirement.content {
            lines.append("\(indent)output under review:")
            lines += content.split(separator: "\n", omittingEmptySubsequences: false).map { "\(indent)│ \($0)" }
        }
        if !requirement.schema.isEmpty {
            lines.append("\(indent)fields:")
            lines += requirement.schema.map { "\(indent)  \(Self.describe($0))" }
        }
        lines.append("\(indent)if rejected: \(Self.rejection(requirement.onReject))")
        if let expires = requirement.expiresAt {
            lines.append("\(indent)answer before \(Timestamp.rfc3339(expires)) (then: \(requirement.onTimeout ?? "cancel"))")
        }
        return lines
    }

    /// `tone (string, required, one of: formal, casual): the tone of voice`.
    static func describe(_ field: InputField) -> String {
        var notes = [field.type.rawValue]
        if field.required { notes.append("required") }
        if let choices = field.choices, !choices.isEmpty { notes.append("one of: \(choices.joined(separator: ", "))") }
        return "\(field.name) (\(notes.joined(separator: ", ")))" + (field.description.map { ": \($0)" } ?? "")
    }

    static func rejection(_ onReject: String) -> String {
        switch onReject {
        case "skip": return "the step is skipped"
        case "retry": return "the step runs again"
        default: return "the run is cancelled"
        }
    }

    /// The commands that approve (with the required fields to fill in) and reject.
    var commands: (approve: String, reject: String) {
        var base = "agnoctl continue \(Self.quoted(runID))"
        if let socket { base += " --socket \(Self.quoted(socket))" }
        let sets = requirement.schema.filter(\.required).map { " --set \($0.name)=…" }.joined()
        return (base + " --approve" + sets, base + " --reject")
    }

    /// What to do, for stderr when nobody can be asked: the details and the commands (after the headline).
    func instructions(headline: Bool) -> [String] {
        (headline ? ["⏸ run \(runID): \(self.headline)"] : []) + details()
            + ["answer with: \(commands.approve)", "         or: \(commands.reject)"]
    }

    private static func quoted(_ word: String) -> String {
        word.allSatisfy { $0.isLetter || $0.isNumber || "-_./:@".contains($0) }
            ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
