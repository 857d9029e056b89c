import CSystemd
import Foundation

/// Tells the service manager about the daemon's state (`sd_notify`). Without `NOTIFY_SOCKET` every call is a
/// no-op, so the same binary runs under systemd and by hand.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// True when a service manager listens (`NOTIFY_SOCKET` is set).
    public var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    /// Sends newline-separated `KEY=value` assignments; false when nobody listens or sending failed.
    @discardableResult
    public func send(_ assignments: String...) -> Bool {
        sd_notify(0, assignments.joined(separator: "\n")) > 0
    }

    /// Startup (or a reload) is complete: the socket listens and the store is open.
    public func ready(status: String) { send("READY=1", "STATUS=\(Self.clean(status))") }

    /// A one-line status for `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(Self.clean(text))") }

    public func stopping(status: String) { send("STOPPING=1", "STATUS=\(Self.clean(status))") }

    /// The daemon is reloading its configuration; `ready` follows when done.
    public func reloading() { send("RELOADING=1", "MONOTONIC_USEC=\(Self.monotonicMicroseconds())") }

    public func watchdog() { send("WATCHDOG=1") }

    /// How often systemd expects `WATCHDOG=1` (`WatchdogSec=`), or nil when the watchdog is off.
    public func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }

    /// A status is one line.
    static func clean(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }
}
