import AgnoDaemon
import AgnoSystemd
import ArgumentParser
import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
    let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#endif

/// `agnod`: the agent workflow daemon.
@main
struct AgnodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agnod",
        abstract: "Runs agent workflows for the users of this machine, over a Unix socket.",
        version: Daemon.version)

    @Option(name: .long, help: "The configuration file (YAML or JSON). Default: \(DaemonConfigParser.defaultPath) if it exists.")
    var config: String?

    @Option(name: .long, help: "The Unix socket to listen on (overrides the file's 'socket').")
    var socket: String?

    @Option(name: .customLong("state-dir"), help: "Where runs are kept (overrides 'state_dir').")
    var stateDir: String?

    @Option(name: .long, help: "The workflows directory (overrides 'workflows_dir').")
    var workflows: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(
        name: .customLong("log-target"),
        help: "journal (structured entries to journald), stderr, or auto: journal when stderr is journald's (JOURNAL_STREAM).")
    var logTarget: String = "auto"

    @Flag(
        name: .long,
        help:
            "Check the configuration and the workflow files (FILE…, or every file of the workflows directory), print what is wrong, and exit: 0 when all are good, 1 otherwise."
    )
    var check = false

    @Argument(help: "With --check: the workflow files to check.")
    var files: [String] = []

    func run() async throws {
        var daemonConfig = DaemonConfig()
        let path = config ?? (FileManager.default.fileExists(atPath: DaemonConfigParser.defaultPath) ? DaemonConfigParser.defaultPath : nil)
        if let path {
            do {
                daemonConfig = try DaemonConfigParser.load(path: path)
            } catch {
                FileHandle.standardError.write(Data("agnod: bad configuration: \(error)\n".utf8))
                throw ExitCode(78)  // EX_CONFIG
            }
        }
        let overrides = DaemonConfig.Overrides(socket: socket, stateDir: stateDir, workflowsDir: workflows)
        daemonConfig.apply(overrides)
        if check {
            let (lines, ok) = WorkflowCheck.run(config: daemonConfig, files: files)
            for line in lines { print(line) }
            print(ok ? "agnod: the files are good" : "agnod: some files were refused")
            throw ExitCode(ok ? 0 : 1)
        }
        if !files.isEmpty { throw ValidationError("files are only taken with --check") }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let journal: Bool
        switch logTarget {
        case "journal": journal = true
        case "stderr": journal = false
        case "auto": journal = JournalLogHandler.stderrIsJournal()
        default: throw ValidationError("--log-target must be journal, stderr or auto, not '\(logTarget)'")
        }
        LoggingSystem.bootstrap { label in
            if journal { return JournalLogHandler(identifier: "agnod", level: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "agnod")
        // Every run holds a model connection and every client a socket: use all the descriptors allowed.
        var files = rlimit()
        if getrlimit(RLIMIT_NOFILE_VALUE, &files) == 0, files.rlim_cur < files.rlim_max {
            files.rlim_cur = files.rlim_max
            _ = setrlimit(RLIMIT_NOFILE_VALUE, &files)
        }
        let daemon: Daemon
        do {
            daemon = try await Daemon(config: daemonConfig, overrides: overrides, logger: logger)
        } catch {
            logger.critical("cannot start: \(error)")
            SystemdNotifier().status("cannot start: \(error)")  // what `systemctl status` shows beside the log
            throw ExitCode(73)  // EX_CANTCREAT
        }
        try await daemon.run()
    }
}
