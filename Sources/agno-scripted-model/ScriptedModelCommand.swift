import AgnoTesting
import ArgumentParser
import Foundation

/// AgnoTesting's scripted OpenAI-compatible server (NIO event loops, no Swift concurrency on the hot path) as a
/// process of its own, for scripts/bench: the native model beside the Python one, so that the model server is
/// not what a benchmark measures.
@main
struct ScriptedModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agno-scripted-model",
        abstract: "A scripted OpenAI-compatible chat-completions server on 127.0.0.1 (benchmarks and tests).")

    @Option(help: "The loopback port (0: a free one, printed).") var port = 0
    @Option(help: "Content chunks per answer, each \"word \".") var tokens = 100
    @Option(name: .customLong("delay-ms"), help: "Milliseconds between chunks.") var delayMs = 0
    @Option(name: .customLong("stall-after"), help: "Stop sending after this many chunks and keep the stream open.")
    var stallAfter: Int?
    @Flag(help: "Do not report token usage, even when asked.") var noUsage = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port): not a TCP port") }
        guard tokens >= 0, delayMs >= 0, (stallAfter ?? 0) >= 0 else {
            throw ValidationError("--tokens, --delay-ms and --stall-after must not be negative")
        }
    }

    func run() async throws {
        let words = Array(repeating: "word ", count: tokens)
        let script: ModelScript =
            if let stallAfter { .stall(after: Array(words.prefix(stallAfter))) } else { .text(words, delay: .milliseconds(delayMs)) }
        let server = ScriptedModelServer(port: port, reportsUsage: !noUsage, recordsRequests: false) { _, _ in script }
        try await server.start()
        FileHandle.standardOutput.write(Data("listening on \(server.port)\n".utf8))
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
