import Foundation

/// What a finished process left: its exit status and its output.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a command to its end, collecting its output (read on other threads, so big outputs cannot block it).
public func runProcess(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try? input.fileHandleForWriting.close()
    let collected = Collector()
    let group = DispatchGroup()
    for (pipe, isErr) in [(out, false), (err, true)] {
        group.enter()
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            collected.set(data, isErr: isErr)
            group.leave()
        }
    }
    group.wait()
    process.waitUntilExit()
    return ProcessResult(status: process.terminationStatus, stdout: collected.text(isErr: false), stderr: collected.text(isErr: true))
}

final class Collector: @unchecked Sendable {
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    func set(_ data: Data, isErr: Bool) {
        lock.lock()
        if isErr { err = data } else { out = data }
        lock.unlock()
    }
    func text(isErr: Bool) -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: isErr ? err : out, as: UTF8.self)
    }
}
