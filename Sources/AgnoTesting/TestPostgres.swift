import Foundation
import Glibc

/// A real PostgreSQL 15 server (Debian's `postgresql` package) for tests: initdb in a temp dir, listening on
/// a free loopback port, run as the unprivileged `postgres` user when the tests run as root. One server per
/// test process (`shared`), a fresh database per test (`createDatabase`); stopped when the process exits.
/// Connections over TCP need the password (scram-sha-256), as agnod's would.
public final class TestPostgres: @unchecked Sendable {
    public static let binDirectory = "/usr/lib/postgresql/15/bin"
    /// Whether this machine has PostgreSQL 15's server binaries (tests needing it are skipped without).
    public static var isAvailable: Bool { FileManager.default.isExecutableFile(atPath: binDirectory + "/postgres") }

    public let directory: URL
    public let port: Int
    public let user = "agnod"
    public let password: String
    private let lock = NSLock()
    private var process: Process?
    private var log = LogBuffer()

    /// The server every test in this process uses, started on first use.
    public static func shared() throws -> TestPostgres {
        try sharedLock.withLock {
            if let server = sharedServer { return server }
            let server = try TestPostgres()
            sharedServer = server
            atexit { TestPostgres.sharedServer?.destroy() }
            return server
        }
    }

    nonisolated(unsafe) static var sharedServer: TestPostgres?
    static let sharedLock = NSLock()

    /// Makes the data directory and starts the server.
    public init() throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agnod-pg-test-\(UUID().uuidString.prefix(8))")
        password = UUID().uuidString
        port = try Self.freePort()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("pw")
        try password.write(to: passwordFile, atomically: true, encoding: .utf8)
        if getuid() == 0 {
            guard let owner = getpwnam("postgres") else { throw TestPostgresError("no 'postgres' user to run PostgreSQL as") }
            chown(directory.path, owner.pointee.pw_uid, owner.pointee.pw_gid)
            chown(passwordFile.path, owner.pointee.pw_uid, owner.pointee.pw_gid)
        }
        let initdb = try runProcess(
            Self.asServerUser,
            Self.serverUserArguments + [
                "\(Self.binDirectory)/initdb", "-D", dataDirectory, "-U", user, "--pwfile", passwordFile.path,
                "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-sync",
            ])
        guard initdb.status == 0 else { throw TestPostgresError("initdb failed: \(initdb.stderr)") }
        try start()
    }

    var dataDirectory: String { directory.appendingPathComponent("data").path }

    /// `postgres://agnod@127.0.0.1:PORT/DATABASE` (the password is separate, as agnod wants it).
    public func url(_ database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// Starts the server (again, after `stop`) and returns once it accepts connections.
    public func start() throws {
        let process = Process()
        let pipe = Pipe()
        let log = LogBuffer()
        process.executableURL = Self.asServerUser
        process.arguments =
            Self.serverUserArguments + [
                "\(Self.binDirectory)/postgres", "-D", dataDirectory, "-p", "\(port)", "-k", directory.path,
                "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB",
            ]
        process.standardOutput = pipe
        process.standardError = pipe
        log.follow(pipe)
        try process.run()
        lock.withLock {
            self.process = process
            self.log = log
        }
        guard log.wait(for: "database system is ready to accept connections", timeout: 60) else {
            process.terminate()
            throw TestPostgresError("PostgreSQL did not start: \(log.text)")
        }
    }

    /// Stops the server: `immediate` as if the machine died (SIGQUIT), else a fast shutdown (SIGINT).
    public func stop(immediate: Bool = false) {
        guard let process = lock.withLock({ self.process }) else { return }
        kill(process.processIdentifier, immediate ? SIGQUIT : SIGINT)
        process.waitUntilExit()
        lock.withLock { self.process = nil }
    }

    /// A new, empty database; returns its name.
    public func createDatabase(_ prefix: String = "t") throws -> String {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try sql("CREATE DATABASE \(name)", database: "postgres")
        return name
    }

    /// Runs SQL as the superuser over the Unix socket; returns psql's output (unaligned, tuples only).
    @discardableResult
    public func sql(_ statement: String, database: String) throws -> String {
        let result = try runProcess(
            URL(fileURLWithPath: "/usr/bin/psql"),
            ["-h", directory.path, "-p", "\(port)", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", statement])
        guard result.status == 0 else { throw TestPostgresError("psql failed: \(result.stderr)") }
        return result.stdout
    }

    public func destroy() {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// As root, `setpriv` drops to the `postgres` user (PostgreSQL refuses to run as root); else directly.
    static var asServerUser: URL { URL(fileURLWithPath: getuid() == 0 ? "/usr/bin/setpriv" : "/usr/bin/env") }
    static var serverUserArguments: [String] {
        getuid() == 0 ? ["--reuid=postgres", "--regid=postgres", "--clear-groups", "--"] : []
    }

    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestPostgresError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestPostgresError("bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
