import AgnoClient
import AgnoProtocol
import ArgumentParser
import Foundation

extension AgnoctlCommand {
    /// `agnoctl top`: a live table of the runs, the users and the model throughput, refreshed every few seconds.
    struct Top: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show live runs, users, queue and tokens/s, refreshing (Ctrl-C to stop).")

        @OptionGroup var options: ClientOptions

        @Option(name: [.short, .long], help: "Seconds between refreshes.")
        var interval: Double = 2

        @Option(name: [.customShort("n"), .long], help: "Stop after this many refreshes (0: until Ctrl-C).")
        var iterations: Int = 0

        @Flag(name: [.short, .long], help: "Every user's runs (admins only; others see their own).")
        var all = false

        func validate() throws {
            guard interval >= 0.1 else { throw ValidationError("--interval must be at least 0.1 seconds") }
            guard iterations >= 0 else { throw ValidationError("--iterations must be 0 or more") }
        }

        func run() throws {
            let connection = try options.connect()
            let terminal = isatty(STDOUT_FILENO) == 1
            var previous: (at: ContinuousClock.Instant, chunks: Double)?
            var shown = 0
            while iterations == 0 || shown < iterations {
                if shown > 0 { Thread.sleep(forTimeInterval: interval) }
                let snapshot: TopSnapshot
                do {
                    snapshot = try TopSnapshot.take(connection, allUsers: all)
                } catch {
                    throw Output.fail(error)
                }
                var rate: Double?
                if let previous, let chunks = snapshot.streamedChunks {
                    let seconds = (snapshot.takenAt - previous.at).inSeconds
                    if seconds > 0 { rate = max(0, chunks - previous.chunks) / seconds }
                }
                if let chunks = snapshot.streamedChunks { previous = (snapshot.takenAt, chunks) }
                let frame = snapshot.render(tokensPerSecond: rate)
                Output.out(terminal ? "\u{1B}[H\u{1B}[2J" + frame : (shown > 0 ? "\n" : "") + frame)
                shown += 1
            }
        }
    }
}
