import ArgumentParser
import Foundation

/// `agnoctl`: talk to agnod.
@main
struct AgnoctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agnoctl",
        abstract: "Start, follow, cancel and inspect agnod workflow runs.",
        discussion:
            "Exit codes: 0 COMPLETED, 1 ERROR, 130 CANCELLED, 2 usage, 3 PAUSED (waiting for `agnoctl continue`), 69 agnod unreachable.",
        version: ClientVersion.string,
        subcommands: [
            Run.self, Cancel.self, Status.self, List.self, Attach.self, Continue.self, Workflows.self, Remove.self, ToolCalls.self,
            Top.self, Metrics.self, Version.self,
        ])
}

extension AgnoctlCommand {
    /// Usage errors exit 2 (not ArgumentParser's 64), as documented.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                Output.err(fullMessage(for: error) + "\n")
                Foundation.exit(ExitCodes.usage)
            }
            exit(withError: error)
        }
    }
}

enum ClientVersion {
    static let string = "0.1.0"
}
