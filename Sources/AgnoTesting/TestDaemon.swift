import AgnoClient
import AgnoProtocol
import Foundation

/// A real `agnod` process on a socket in a temp dir, with a config and workflows written for the test.
public final class TestDaemon: @unchecked Sendable {
    public let directory: URL
    public let socket: String
    public let configPath: String
    public private(set) var process: Process?
    /// The log of the current (or last) agnod process; each start gets a new one.
    private var log = LogBuffer()

    /// `providers`: name → base URL. `workflows`: file name → YAML text. `extra`: more top-level config keys (JSON values).
    /// `providerSettings`: more keys of a provider (e.g. its `prices`).
    public init(
        providers: [String: String], defaultModel: String? = nil, workflows: [String: String], limits: [String: Int] = [:],
        extra: [(String, JSONValue)] = [], providerSettings: [String: [(String, JSONValue)]] = [:]
    ) throws {
        directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agnod-test-\(UUID().uuidString.prefix(8))")
        let workflowsDir = directory.appendingPathComponent("workflows")
        try FileManager.default.createDirectory(at: workflowsDir, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        socket = directory.appendingPathComponent("agnod.sock").path
        configPath = directory.appendingPathComponent("agnod.yaml").path
        for (name, text) in workflows {
            try text.write(to: workflowsDir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        var config: [(String, JSONValue)] = [
            ("socket", .string(socket)),
            ("state_dir", .string(directory.appendingPathComponent("state").path)),
            ("workflows_dir", .string(workflowsDir.path)),
        ]
        if !providers.isEmpty {
            config.append(
                (
                    "providers",
                    .object(
                        providers.sorted { $0.key < $1.key }.map {
                            ($0.key, .object([("base_url", .string($0.value))] + (providerSettings[$0.key] ?? [])))
                        })
                ))
        }
        if let defaultModel { config.append(("default_model", .string(defaultModel))) }
        if !limits.isEmpty { config.append(("limits", .object(limits.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))) }
        config += extra
        try JSONValue.object(config).encodedString.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// How `start` knows that agnod is ready.
    public enum Readiness {
        /// Its log says this.
        case log(String)
        /// It sends `READY=1` to this notify socket (for logs that go elsewhere, e.g. journald).
        case notify(NotifySocket)
    }

    /// Starts agnod and waits until it is ready (or fails with its log). `launcher` runs agnod through another
    /// program (e.g. `systemd-socket-activate -l …`); agnod's path and arguments follow it.
    public func start(
        arguments: [String] = [], environment: [String: String] = [:], launcher: [String] = [], readiness: Readiness = .log("listening")
    ) throws {
        let process = Process()
        let logPipe = Pipe()
        log = LogBuffer()
        let agnod = [Binaries.agnod.path, "--config", configPath] + arguments
        process.executableURL = launcher.first.map { URL(fileURLWithPath: $0) } ?? Binaries.agnod
        process.arguments = launcher.isEmpty ? Array(agnod.dropFirst()) : Array(launcher.dropFirst()) + agnod
        var env = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if case .notify(let socket) = readiness { env["NOTIFY_SOCKET"] = socket.path }
        process.environment = env
        process.standardError = logPipe
        process.standardOutput = logPipe
        log.follow(logPipe)
        try process.run()
        self.process = process
        let ready: Bool
        switch readiness {
        case .log(let text): ready = log.wait(for: text, timeout: 30)
        case .notify(let socket): ready = socket.wait(timeout: 30) { $0.contains("READY=1") } != nil
        }
        guard ready else {
            process.terminate()
            throw TestError("agnod did not get ready; its log:\n\(log.text)")
        }
    }

    /// Sends a signal to agnod.
    public func signal(_ signal: Int32) {
        if let pid { Foundation.kill(pid, signal) }
    }

    /// Everything agnod has logged so far.
    public var logText: String { log.text }

    /// Waits until agnod's log contains `text`.
    public func waitForLog(_ text: String, timeout: Double = 10) -> Bool { log.wait(for: text, timeout: timeout) }

    public func connect() throws -> AgnoConnection { try AgnoConnection(path: socket) }

    /// Runs the real agnoctl against this daemon.
    public func agnoctl(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try runProcess(Binaries.agnoctl, arguments, environment: ["AGNOD_SOCKET": socket], stdin: stdin)
    }

    /// The running agnod's pid.
    public var pid: Int32? { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } }

    /// The running agnod's resident memory, in KiB (VmRSS).
    public func residentKiB() -> Int? {
        guard let pid, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return line.flatMap { Int($0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") }
    }

    /// Kills agnod with SIGKILL (no chance to clean up) and waits until it is gone.
    public func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Sends SIGTERM and waits for the exit; returns the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGTERM and waits at most `seconds` for the exit: its status, or nil if agnod was still running
    /// (it is then killed, so that nothing is left behind).
    public func stop(within seconds: Double) -> Int32? {
        guard let process, process.isRunning else { return process?.terminationStatus }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        process.terminate()
        if !process.isRunning || exited.wait(timeout: .now() + seconds) == .success {
            process.waitUntilExit()
            return process.terminationStatus
        }
        kill()
        return nil
    }

    deinit {
        if let process, process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A test set-up failure with a message.
public struct TestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
