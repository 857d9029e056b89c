import Foundation
import Logging
import MCP

/// An MCP server agnod starts: a child in its own process group, MCP over its stdin/stdout.
struct ProcessConnection: MCPConnection {
    let child: ChildProcess
    let pipes: PipeTransport

    /// Starts the configured command with a small environment: PATH, HOME, LANG, LC_ALL, TZ, TMPDIR and the
    /// server's `env` (agnod's own, which may hold model API keys, is not passed on).
    static func open(_ config: MCPServerConfig) throws -> ProcessConnection {
        var environment: [String: String] = [:]
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"] { environment[key] = inherited[key] }
        if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        environment.merge(config.environment) { _, configured in configured }
        let child = try ChildProcess.spawn(command: config.command, arguments: config.arguments, environment: environment, directory: config.directory)
        let pipes = PipeTransport(input: child.input, output: child.output, logger: Logger(label: "agnod.mcp.\(config.name)"))
        return ProcessConnection(child: child, pipes: pipes)
    }

    var transport: any Transport { pipes }
    var pid: pid_t? { child.pid }
    var subject: String { "the process" }
    var afterEnd: String { "it restarts on the next call" }
    var endReason: String? { child.exitStatus.map(ChildProcess.describe) }
    var endFailsCalls: Bool { true }

    func countsAsFailure(_ reason: String) -> Bool { true }

    func wasRefused(_ id: ID) async -> Bool { false }

    func onEnd(_ body: @escaping @Sendable (String) -> Void) {
        child.onExit { status in body(ChildProcess.describe(status)) }
    }

    func ended() async -> String { ChildProcess.describe(await child.exited()) }

    func kill() { child.kill() }

    func stop(grace: Duration) async { await child.terminate(grace: grace) }
}
