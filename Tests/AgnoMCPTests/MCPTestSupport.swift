@testable import AgnoMCP
import AgnoTesting
import Foundation
import Logging

/// Where the tests' MCP servers are: scripts/test.sh installs them from PyPI into cached venvs and exports
/// AGNOD_TEST_MCP_VENV (mcp 2.x: mcp-server-time, mcp-server-fetch) and AGNOD_TEST_MCP1_VENV (mcp 1.x:
/// mcp-server-calculator and the fixture server). Without them these tests are skipped, saying so.
enum MCPTestSupport {
    static let venv = ProcessInfo.processInfo.environment["AGNOD_TEST_MCP_VENV"]
    static let venv1 = ProcessInfo.processInfo.environment["AGNOD_TEST_MCP1_VENV"]
    static var available: Bool { venv != nil && venv1 != nil }
    static let skipReason: Comment = "needs the MCP servers from PyPI (AGNOD_TEST_MCP_VENV, AGNOD_TEST_MCP1_VENV; scripts/test.sh installs them)"

    static let logger = Logger(label: "agnod-test-mcp")

    static var fixtureServer: String { Bundle.module.path(forResource: "test_server", ofType: "py", inDirectory: "Fixtures")! }

    /// The fixture server with `notify` as its loopback HTTP server.
    static func fixture(notify: String = "", cancelGrace: Double = 0.5, callTimeout: Double = 60) -> MCPServer {
        var config = MCPServerConfig(name: "t", command: "\(venv1!)/bin/python")
        config.arguments = [fixtureServer]
        config.environment = ["AGNOD_TEST_NOTIFY_URL": notify, "AGNOD_TEST_PASSED": "yes"]
        config.cancelGrace = cancelGrace
        config.callTimeout = callTimeout
        return MCPServer(config: config, logger: logger)
    }

    /// The fixture server on streamable HTTP (a loopback port).
    static func httpFixture(port: Int = 0, json: Bool = false, token: String? = nil, log: String? = nil, environment: [String: String] = [:]) throws -> MCPFixtureHTTPServer {
        try MCPFixtureHTTPServer(python: "\(venv1!)/bin/python", script: fixtureServer, port: port, json: json, token: token, log: log, environment: environment)
    }

    /// What happened after the server's next abandoned call (nil, and an issue recorded, if nothing within the deadline).
    static func abandonOutcome(of server: MCPServer) async -> MCPServer.AbandonOutcome? {
        let after = OutcomeBox()
        await awaitEvent("the outcome of the abandoned call", { after.set(await server.nextAbandonOutcome()) })
        return after.value
    }

    static func pypi(_ name: String, command: String, arguments: [String] = [], environment: [String: String] = [:], venv: String? = MCPTestSupport.venv) -> MCPServer {
        var config = MCPServerConfig(name: name, command: "\(venv!)/bin/\(command)")
        config.arguments = arguments
        config.environment = environment
        return MCPServer(config: config, logger: logger)
    }
}

import Testing
