import AgnoTesting
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process whose stdin and stderr are a pseudo-terminal (so `isatty` says yes) and whose stdout is a pipe:
/// the test reads what it shows on the terminal, types answers, and gets its stdout apart.
final class PseudoTerminal {
    let process = Process()
    private let master: Int32
    private var transcript = ""
    /// What `read(until:)` has not matched yet.
    private var unread = ""
    private let stdout = Pipe()

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        typealias FdCall = @convention(c) (Int32) -> Int32
        typealias NameCall = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
        guard let openpt: FdCall = Self.libc("posix_openpt"), let grantpt: FdCall = Self.libc("grantpt"),
            let unlockpt: FdCall = Self.libc("unlockpt"), let ptsname: NameCall = Self.libc("ptsname")
        else { throw TestError("no posix_openpt in libc") }
        master = openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grantpt(master) == 0, unlockpt(master) == 0, let name = ptsname(master) else {
            throw TestError("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slave = open(String(cString: name), O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw TestError("cannot open \(String(cString: name))") }
        defer { close(slave) }  // the child has its copies; the master reads EIO once the child is gone
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardInput = terminal
        process.standardError = terminal
        process.standardOutput = stdout
        try process.run()
    }

    deinit { close(master) }

    /// A libc function by name (Swift's Glibc module leaves out the XOPEN pseudo-terminal calls).
    private static func libc<F>(_ name: String) -> F? {
        dlsym(nil, name).map { unsafeBitCast($0, to: F.self) }
    }

    /// Reads what the terminal shows until `text` appears after the previous match (returning what came up to it),
    /// or nil when the process closed the terminal or `seconds` passed first (a deadline, so a missing prompt
    /// fails instead of hanging).
    func read(until text: String, within seconds: Double = 60) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            if let match = unread.range(of: text) {
                defer { unread = String(unread[match.upperBound...]) }
                return String(unread[..<match.upperBound])
            }
            guard readMore(before: deadline) else { return nil }
        }
    }

    /// Types a line.
    func type(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Everything the terminal showed until the process closed it, its stdout, and its exit status (a process
    /// still there after `seconds` is terminated).
    func finish(within seconds: Double = 60) -> (terminal: String, stdout: String, status: Int32) {
        let deadline = Date().addingTimeInterval(seconds)
        while readMore(before: deadline) {}
        if Date() >= deadline {
            // Still there: SIGTERM, then SIGKILL for one that ignores it, so a hang fails instead of hanging.
            process.terminate()
            let killAt = Date().addingTimeInterval(5)
            while process.isRunning && Date() < killAt { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (transcript, String(decoding: out, as: UTF8.self), process.terminationStatus)
    }

    /// Adds what the terminal shows next to the transcript; false once the process closed it or at the deadline.
    private func readMore(before deadline: Date) -> Bool {
        while true {
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard left > 0, poll(&pfd, 1, left) > 0 else { return false }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            let text = String(decoding: buffer[..<n], as: UTF8.self)
            transcript += text
            unread += text
            return true
        }
    }
}
