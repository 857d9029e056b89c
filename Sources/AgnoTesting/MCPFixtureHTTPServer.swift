import Foundation
import Synchronization

/// The tests' MCP fixture server (Tests/AgnoMCPTests/Fixtures/test_server.py, python mcp 1.x FastMCP) serving
/// streamable HTTP on a loopback port, with a log of the HTTP requests it received.
public final class MCPFixtureHTTPServer: Sendable {
    private let process: Mutex<Process>
    private let exited = DispatchSemaphore(value: 0)
    public let port: Int
    public let log: String
    public let token: String?

    public var url: String { "http://127.0.0.1:\(port)/mcp" }

    /// Starts it and waits until it accepts connections. `port` 0: a free one. `json`: answers as JSON bodies
    /// instead of event streams; `token`: requests need `Authorization: Bearer <token>`.
    public init(python: String, script: String, port: Int = 0, json: Bool = false, token: String? = nil, log: String? = nil,
                environment: [String: String] = [:]) throws {
        let log = log ?? NSTemporaryDirectory() + "agnod-mcp-http-\(UUID().uuidString).log"
        self.log = log
        self.token = token
        var arguments = [script, "--http", "--port", "\(port)", "--log", log]
        if json { arguments.append("--json") }
        if let token { arguments += ["--token", token] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        // It prints "listening on PORT" once uvicorn accepts; EOF first means it died.
        var text = ""
        while !(text.contains("listening on ") && text.hasSuffix("\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestError("the MCP fixture HTTP server exited before listening: \(text)") }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix("listening on ") }!
        self.port = Int(line.dropFirst("listening on ".count))!
        self.process = Mutex(process)
    }

    /// The requests it received: "METHOD /path session=… version=… accept=… rpc=…".
    public var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// SIGTERM, and SIGKILL if it has not exited 5 s later; returns once it has exited.
    public func stop() {
        let pid = process.withLock { $0.isRunning ? $0.processIdentifier : 0 }
        guard pid > 0 else { return }
        kill(pid, SIGTERM)
        if exited.wait(timeout: .now() + 5) == .timedOut {
            kill(pid, SIGKILL)
            exited.wait()
        }
    }

    // A test that failed half-way leaves no server behind.
    deinit { stop() }
}
