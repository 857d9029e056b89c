import AgnoTesting
import Foundation
@testable import AgnoMCP

/// The fixture server (python mcp 1.x, FastMCP) serving streamable HTTP on a loopback port, with a log of
/// the HTTP requests it received. Started like agnod starts servers (its own process group, no signals
/// blocked: a child of a test thread would otherwise inherit a mask that blocks SIGTERM).
final class FixtureHTTPServer: Sendable {
    let child: ChildProcess
    let port: Int
    let log: String
    let token: String?

    var url: String { "http://127.0.0.1:\(port)/mcp" }

    /// Starts it and waits until it accepts connections. `port` 0: a free one.
    init(port: Int = 0, json: Bool = false, token: String? = nil, log: String? = nil) throws {
        let log = log ?? NSTemporaryDirectory() + "agnod-mcp-http-\(UUID().uuidString).log"
        self.log = log
        self.token = token
        var arguments = [MCPTestSupport.fixtureServer, "--http", "--port", "\(port)", "--log", log]
        if json { arguments.append("--json") }
        if let token { arguments += ["--token", token] }
        var environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        child = try ChildProcess.spawn(command: "\(MCPTestSupport.venv1!)/bin/python", arguments: arguments, environment: environment)
        close(child.input)
        // It prints "listening on PORT" once uvicorn accepts; EOF first means it died.
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !(text.contains("listening on ") && text.hasSuffix("\n")) {
            let count = read(child.output, &buffer, buffer.count)
            if count <= 0 { throw TestError("the fixture HTTP server exited before listening: \(text)") }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        let line = text.split(separator: "\n").first { $0.hasPrefix("listening on ") }!
        self.port = Int(line.dropFirst("listening on ".count))!
    }

    /// The requests it received: "METHOD /path session=… version=… accept=… rpc=…".
    var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    // A test that failed half-way leaves no server behind.
    deinit { if !child.hasExited { child.kill() } }

    func stop() async {
        await child.terminate(grace: .seconds(5))
        _ = await child.exited()
        close(child.output)
    }
}
