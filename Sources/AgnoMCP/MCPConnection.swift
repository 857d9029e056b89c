import Foundation
import MCP

/// What one MCP session runs over: a child process's pipes (`ProcessConnection`) or an HTTP session with a
/// remote server (`HTTPConnection`). `MCPServer` starts, watches, abandons and stops sessions through this.
protocol MCPConnection: Sendable {
    /// The transport for the session's MCP client.
    var transport: any Transport { get }
    /// The process's pid (stdio), for logs and tests.
    var pid: pid_t? { get }
    /// What it is, to begin a sentence: "the process", "the HTTP session".
    var subject: String { get }
    /// What happens after it ended, for messages: "it restarts on the next call".
    var afterEnd: String { get }
    /// Why it ended ("exited with status 3"), once it has.
    var endReason: String? { get }
    /// Whether its end fails the calls in flight at once (a process that exits), rather than each call's own
    /// stream telling it (HTTP).
    var endFailsCalls: Bool { get }
    /// Whether ending this way counts toward the limit of 5 failures a minute (a server that forgot an HTTP
    /// session did not fail).
    func countsAsFailure(_ reason: String) -> Bool
    /// Whether the server refused this request without running it (so it may be sent again on a new session).
    func wasRefused(_ id: ID) async -> Bool
    /// Calls `body` with the reason once it ends (at once if it has).
    func onEnd(_ body: @escaping @Sendable (String) -> Void)
    /// Waits until it has ended; the reason.
    func ended() async -> String
    /// Ends it now: SIGKILL to the process group, or the HTTP session's streams closed and the session deleted.
    func kill()
    /// Ends it politely: SIGTERM and SIGKILL after `grace`, or the HTTP session deleted.
    func stop(grace: Duration) async
}
