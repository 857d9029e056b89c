import AgnoProtocol
import Foundation
import Synchronization

/// Asks the person at the terminal to answer a pause: questions on stderr, answers from stdin; a value of the
/// wrong type is asked for again.
struct PausePrompt {
    /// Whether someone can be asked: stdin and stderr are terminals.
    static var possible: Bool { isatty(STDIN_FILENO) != 0 && isatty(STDERR_FILENO) != 0 }

    /// Whether a prompt is waiting for a line now (Ctrl-C then cancels the run and exits: `InterruptProxy`).
    static let isAsking = Atomic<Bool>(false)

    /// The answer, or nil when stdin ended before it was complete.
    func ask(_ notice: PauseNotice) -> (decision: Review.Decision, input: JSONValue?)? {
        Self.isAsking.store(true, ordering: .releasing)
        defer { Self.isAsking.store(false, ordering: .releasing) }
        Output.err(notice.details().map { $0 + "\n" }.joined())
        guard let approve = askYesNo("Approve? [y/n] ") else { return nil }
        guard approve else { return (.reject, nil) }
        var pairs: [(String, JSONValue)] = []
        for field in notice.requirement.schema {
            guard let value = askValue(field) else { return nil }
            if let value { pairs.append((field.name, value)) }
        }
        return (.approve, pairs.isEmpty ? nil : .object(pairs))
    }

    private func askYesNo(_ question: String) -> Bool? {
        while true {
            Output.err(question)
            guard let line = readLine() else { return nil }
            switch line.trimmingCharacters(in: .whitespaces).lowercased() {
            case "y", "yes": return true
            case "n", "no": return false
            default: Output.err("  answer y or n\n")
            }
        }
    }

    /// The field's value: `.some(nil)` for an optional field left empty, nil when stdin ended.
    private func askValue(_ field: InputField) -> JSONValue?? {
        while true {
            Output.err("\(PauseNotice.describe(field)): ")
            guard let line = readLine() else { return nil }
            if line.isEmpty {
                if !field.required { return .some(nil) }
                Output.err("  '\(field.name)' is required\n")
                continue
            }
            do {
                return try FieldValue.parse(line, for: field)
            } catch {
                Output.err("  \(error)\n")
            }
        }
    }
}
