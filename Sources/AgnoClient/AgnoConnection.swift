import AgnoProtocol
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking protocol v1 connection over the Unix socket. Replies for other ids than the one awaited are
/// kept until asked for, so several requests can be in flight.
public final class AgnoConnection {
    public let path: String
    private let fd: Int32
    private var framer = LineFramer(maxLineLength: 64 << 20)
    private var pending: [RequestID: [RawReply]] = [:]
    private var nextID = 1

    public init(path: String) throws(ClientError) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(path: path, reason: String(cString: strerror(errno))) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw .unreachable(path: path, reason: "the socket path is too long")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .unreachable(path: path, reason: reason)
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// A fresh request id for this connection.
    public func makeID() -> RequestID {
        defer { nextID += 1 }
        return .int(nextID)
    }

    /// Sends a request; returns its id.
    @discardableResult
    public func send(_ request: Request, id: RequestID? = nil) throws(ClientError) -> RequestID {
        let id = id ?? makeID()
        var line = request.encoded(id: id)
        line.append(UInt8(ascii: "\n"))
        try sendRaw(line)
        return id
    }

    /// Sends bytes as they are (for tests of malformed input).
    public func sendRaw(_ bytes: [UInt8]) throws(ClientError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .disconnected(path: path)
            }
            offset += n
        }
    }

    /// The next reply line as it came (without `\n`), whatever its id.
    public func nextRawLine() throws(ClientError) -> [UInt8] {
        while true {
            let line: [UInt8]?
            do {
                line = try framer.next()
            } catch {
                throw .badReply("a reply line longer than \(error.limit) bytes")
            }
            if let line { return line }
            var buffer = [UInt8](repeating: 0, count: 65536)
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw .disconnected(path: path) }
            framer.append(buffer[..<n])
        }
    }

    /// The next reply, whatever its id, with the line it came in.
    public func nextRawReply() throws(ClientError) -> RawReply {
        let line = try nextRawLine()
        let json: JSONValue
        do {
            json = try JSONValue.parse(line)
        } catch {
            throw .badReply(error.description)
        }
        guard let reply = Reply(json: json) else { throw .badReply(json.encodedString) }
        return RawReply(reply: reply, line: line)
    }

    /// The next reply, whatever its id.
    public func nextReply() throws(ClientError) -> Reply {
        try nextRawReply().reply
    }

    /// The next reply for `id`, with its line; replies for other ids wait for their turn.
    public func rawReply(for id: RequestID) throws(ClientError) -> RawReply {
        if var queued = pending[id], !queued.isEmpty {
            let first = queued.removeFirst()
            pending[id] = queued.isEmpty ? nil : queued
            return first
        }
        while true {
            let raw = try nextRawReply()
            if raw.reply.id == id { return raw }
            pending[raw.reply.id, default: []].append(raw)
        }
    }

    /// The next reply for `id`; replies for other ids wait for their turn.
    public func reply(for id: RequestID) throws(ClientError) -> Reply {
        try rawReply(for: id).reply
    }

    /// Sends a request and waits for its first reply.
    public func call(_ request: Request) throws(ClientError) -> Reply {
        try reply(for: send(request))
    }

    /// Closes the sending side (the daemon sees the client go away).
    public func shutdown() {
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
    }
}

/// A reply and the exact line it arrived as (for `--json`, which prints frames untouched).
public struct RawReply: Sendable {
    public var reply: Reply
    public var line: [UInt8]
}
