import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `NOTIFY_SOCKET` for a daemon under test: an AF_UNIX datagram socket whose messages (`READY=1`, …) the
/// test reads, as systemd would.
public final class NotifySocket: @unchecked Sendable {
    public let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var seen: [String] = []

    public init(directory: URL) throws {
        path = directory.appendingPathComponent("notify-\(UUID().uuidString.prefix(6)).sock").path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestError("socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestError("bind \(path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// Every message received so far.
    public var messages: [String] { lock.withLock { seen } }

    /// The next message, waiting up to `timeout` seconds; nil on timeout.
    public func next(timeout: Double = 10) -> String? {
        var pollfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&pollfd, 1, Int32(timeout * 1000)) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let message = String(decoding: buffer[..<n], as: UTF8.self)
        lock.withLock { seen.append(message) }
        return message
    }

    /// Reads messages until one satisfies `matches` (returned), or `timeout` seconds pass (nil).
    public func wait(timeout: Double = 10, for matches: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while case let left = deadline.timeIntervalSinceNow, left > 0 {
            guard let message = next(timeout: left) else { return nil }
            if matches(message) { return message }
        }
        return nil
    }
}
