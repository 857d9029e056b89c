import AgnoTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A burst of connects while agnod is not accepting (stopped with SIGSTOP, as a busy daemon would be):
/// they wait in the listen backlog instead of failing with EAGAIN, and each is served once agnod goes on.
@Suite struct ListenBacklogTests {
    @Test func aBurstOfAThousandConnectsWaitsInTheBacklogAndIsServed() async throws {
        let h = try await Harness(models: [:], workflows: [:], limits: ["connections_per_user": 2000])
        defer { h.shutdownNow() }
        let pid = try #require(h.daemon.pid)
        kill(pid, SIGSTOP)
        var sockets: [Int32] = []
        var refused = 0
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<1000 {
            switch try RawConnect.nonBlocking(to: h.daemon.socket) {
            case .connected(let fd): sockets.append(fd)
            case .backlogFull: refused += 1
            }
        }
        kill(pid, SIGCONT)
        #expect(refused == 0, "\(refused) of 1000 connects got EAGAIN: the listen backlog is too small")
        var answered = 0
        var firstOther: String?
        for (i, fd) in sockets.enumerated() {
            let reply = try RawConnect.roundTrip(fd, line: #"{"id":\#(i),"op":"hello","protocol":1}"#)
            if reply.contains(#""type":"result""#) { answered += 1 } else if firstOther == nil { firstOther = reply }
        }
        #expect(answered == sockets.count, "not answered; first other reply: \(firstOther ?? "")")
    }
}

/// Bare AF_UNIX sockets: AgnoConnection connects blocking, which would wait instead of showing EAGAIN.
enum RawConnect {
    enum Outcome { case connected(Int32), backlogFull }

    static func nonBlocking(to path: String) throws -> Outcome {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(raw.count - 1))
            raw.copyBytes(from: bytes)
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == 0 {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
            return .connected(fd)
        }
        let failure = errno
        close(fd)
        if failure == EAGAIN { return .backlogFull }
        throw POSIXError(.init(rawValue: failure) ?? .EIO)
    }

    /// Writes one line and reads up to the first newline (blocking, 10 s receive timeout).
    static func roundTrip(_ fd: Int32, line: String) throws -> String {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let bytes = Array((line + "\n").utf8)
        guard write(fd, bytes, bytes.count) == bytes.count else { throw POSIXError(.EPIPE) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !reply.contains(UInt8(ascii: "\n")) {
            let n = read(fd, &buffer, buffer.count)
            guard n > 0 else { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
