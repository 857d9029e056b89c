import CSpawn
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
    static func spawn(command: String, arguments: [String], environment: [String: String], directory: String? = nil) throws -> ChildProcess
    {
        var toChild: [Int32] = [0, 0]
        var fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0 else { throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0])
            close(toChild[1])
            throw SpawnError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // No other child may inherit these (dup2 in the spawned child clears the flag on 0 and 1).
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        // A working directory: through the shell, which then becomes the command (exec).
        var command = command
        var arguments = arguments
        if let directory {
            arguments = ["-c", "cd \"$1\" && shift && exec \"$@\"", "sh", directory, command] + arguments
            command = "/bin/sh"
        }
        if !command.contains("/") {
            // Looked up in the child's PATH, not the caller's.
            let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
            command = path.split(separator: ":").map { "\($0)/\(command)" }.first { access($0, X_OK) == 0 } ?? command
        }
        // It dies with agnod, also when agnod is killed outside systemd (which would stop the unit's whole
        // cgroup): PR_SET_PDEATHSIG, SIGTERM (so that a server can stop its own helpers). The signal comes
        // when the thread that spawned it ends, so the spawn happens on the thread that waits for the
        // child, which lives exactly as long as the child does. (setpriv(1) cannot do it under the unit:
        // its system call filter refuses the capset that setpriv makes.)
        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        let spawned = Spawned()
        let started = DispatchSemaphore(value: 0)
        let program = command
        let (input, output) = (toChild[0], fromChild[1])
        let call = SpawnCall {
            let pid = agnod_spawn(program, argv, envp, input, output, SIGTERM)
            return pid < 0 ? (0, -pid) : (pid, 0)
        }
        let thread = Thread {
            let (pid, rc) = call.body()
            spawned.set(pid: pid, rc: rc)
            started.signal()
            guard rc == 0, let child = spawned.waitForChild() else { return }
            child.reap()
        }
        thread.name = "agnod-mcp-reaper"
        thread.start()
        started.wait()
        close(toChild[0])
        close(fromChild[1])
        let (pid, rc) = spawned.result
        guard rc == 0 else {
            spawned.give(nil)
            close(toChild[1])
            close(fromChild[0])
            throw SpawnError(description: "cannot start '\(command)': \(String(cString: strerror(rc)))")
        }
        let child = ChildProcess(pid: pid, input: toChild[1], output: fromChild[0])
        spawned.give(child)
        return child
    }

    /// The spawn call, made on the reaper thread while the caller waits (it holds the caller's buffers).
    private final class SpawnCall: @unchecked Sendable {
        let body: () -> (pid_t, Int32)
        init(_ body: @escaping () -> (pid_t, Int32)) { self.body = body }
    }

    /// Hands the spawn's result from the reaper thread to the caller, and the child object back to the thread.
    private final class Spawned: @unchecked Sendable {
        private let condition = NSCondition()
        private var pid: pid_t = 0
        private var rc: Int32 = 0
        private var child: ChildProcess?
        private var handed = false

        func set(pid: pid_t, rc: Int32) {
            condition.lock()
            self.pid = pid
            self.rc = rc
            condition.unlock()
        }

        var result: (pid_t, Int32) {
            condition.lock()
            defer { condition.unlock() }
            return (pid, rc)
        }

        func give(_ child: ChildProcess?) {
            condition.lock()
            self.child = child
            handed = true
            condition.broadcast()
            condition.unlock()
        }

        func waitForChild() -> ChildProcess? {
            condition.lock()
            while !handed { condition.wait() }
            defer { condition.unlock() }
            return child
        }
    }

    /// On the reaper thread: waits for the process to exit, then tells the waiters.
    private func reap() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let waiters = state.withLock { s -> [@Sendable (Int32) -> Void] in
            s.exitStatus = status
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter(status) }
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
        // The wait for the exit cannot be cancelled; the kill after the grace is what ends it.
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = await self.exited() }
            group.addTask {
                try? await Task.sleep(for: grace)
                if !Task.isCancelled { self.kill() }
            }
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
