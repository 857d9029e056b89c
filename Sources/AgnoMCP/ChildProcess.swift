import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A tool server process: spawned in its own process group with pipes for stdin and stdout (stderr goes to
/// agnod's, so the journal keeps what it says), watched by a thread that reaps it. Signals go to the whole
/// group, so helpers it started go too.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// Our ends: we write requests to `input`, read answers from `output`.
    let input: Int32
    let output: Int32
    private let state = Mutex(State())

    private struct State {
        var exitStatus: Int32?
        var waiters: [@Sendable (Int32) -> Void] = []
    }

    struct SpawnError: Error, CustomStringConvertible {
        var description: String
    }

    private init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
    }

    /// Starts `command` (looked up in PATH when it has no slash) with exactly `environment`.
    static func spawn(command: String, arguments: [String], environment: [String: String], directory: String? = nil) throws -> ChildProcess {
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // No other child may inherit these (dup2 in the spawned child clears the flag on 0 and 1).
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group (to signal it with its children), default signal handling, nothing blocked.
        var defaults = sigset_t()
        sigfillset(&defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        // A working directory: through the shell, which then becomes the command (exec).
        var command = command, arguments = arguments
        if let directory {
            arguments = ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory, command] + arguments
            command = "/bin/sh"
        }
        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let rc: Int32
        if command.contains("/") {
            rc = posix_spawn(&pid, command, &actions, &attributes, argv, envp)
        } else {
            // posix_spawnp looks the command up in the caller's PATH; look it up in the child's instead.
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            let found = path.split(separator: ":").map { "\($0)/\(command)" }.first { access($0, X_OK) == 0 } ?? command
            rc = posix_spawn(&pid, found, &actions, &attributes, argv, envp)
        }
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw SpawnError(description: "cannot start '\(command)': \(String(cString: strerror(rc)))")
        }
        let child = ChildProcess(pid: pid, input: toChild[1], output: fromChild[0])
        child.watch()
        return child
    }

    private func watch() {
        let pid = self.pid
        let thread = Thread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            let waiters = state.withLock { s -> [@Sendable (Int32) -> Void] in
                s.exitStatus = status
                defer { s.waiters = [] }
                return s.waiters
            }
            for waiter in waiters { waiter(status) }
        }
        thread.name = "agnod-mcp-reaper"
        thread.start()
    }

    var hasExited: Bool { state.withLock { $0.exitStatus != nil } }
    var exitStatus: Int32? { state.withLock { $0.exitStatus } }

    /// Calls `body` once the process has exited (at once if it has).
    func onExit(_ body: @escaping @Sendable (Int32) -> Void) {
        let status = state.withLock { s -> Int32? in
            if s.exitStatus == nil { s.waiters.append(body) }
            return s.exitStatus
        }
        if let status { body(status) }
    }

    /// Waits until the process has exited.
    func exited() async -> Int32 {
        await withCheckedContinuation { continuation in onExit { continuation.resume(returning: $0) } }
    }

    /// SIGKILL to the process group (also after the leader exited: helpers it left behind go too).
    func kill() {
        _ = Glibc.kill(-pid, SIGKILL)
    }

    /// SIGTERM to the group, then SIGKILL if it is still there after `grace`.
    func terminate(grace: Duration) async {
        guard !hasExited else { return }
        _ = Glibc.kill(-pid, SIGTERM)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await self.exited() }
            group.addTask { try? await Task.sleep(for: grace) }
            await group.next()
            group.cancelAll()
        }
        kill()
    }

    /// How it ended, in words.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        if signal == 0 { return "exited with status \((status >> 8) & 0xff)" }
        return "was killed by signal \(signal)"
    }
}
