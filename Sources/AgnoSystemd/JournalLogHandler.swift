import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes structured entries to journald (`sd_journal_sendv`): MESSAGE, PRIORITY,
/// SYSLOG_IDENTIFIER, CODE_*, and every metadata key as an `AGNO_` field (`run_id` → `AGNO_RUN_ID`); the key
/// `message_id` becomes the entry's `MESSAGE_ID` (see `MessageID` and systemd/agnod.catalog).
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let identifier: String
    /// Where entries go; journald's socket unless a test says otherwise.
    let sink: @Sendable ([String]) -> Void

    public init(identifier: String, level: Logger.Level = .info) {
        self.identifier = identifier
        self.logLevel = level
        self.sink = JournalLogHandler.send
    }

    init(identifier: String, level: Logger.Level, sink: @escaping @Sendable ([String]) -> Void) {
        self.identifier = identifier
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        sink(Self.fields(event: event, metadata: metadata, identifier: identifier))
    }

    /// The entry's `FIELD=value` assignments.
    static func fields(event: LogEvent, metadata: Logger.Metadata, identifier: String) -> [String] {
        var fields = [
            "MESSAGE=\(event.message)",
            "PRIORITY=\(priority(event.level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        if let error = event.error { all["error"] = "\(error)" }
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            if key == "message_id" {
                fields.append("MESSAGE_ID=\(value)")
            } else if let name = JournalFieldName.forMetadata(key) {
                fields.append("\(name)=\(value)")
            }
        }
        return fields
    }

    /// syslog priorities, as journald's PRIORITY field wants them.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    @Sendable static func send(_ fields: [String]) {
        // All fields in one buffer, one iovec per field pointing into it.
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = bytes.count
            bytes.append(contentsOf: field.utf8)
            ranges.append(start..<bytes.count)
        }
        bytes.withUnsafeMutableBytes { raw in
            let vectors = ranges.map { iovec(iov_base: raw.baseAddress! + $0.lowerBound, iov_len: $0.count) }
            _ = sd_journal_sendv(vectors, Int32(vectors.count))
        }
    }

    /// True when stderr is connected to journald (systemd sets `JOURNAL_STREAM` to stderr's device:inode).
    public static func stderrIsJournal() -> Bool {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return false }
        let parts = stream.split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(2, &info) == 0 else { return false }
        return UInt64(info.st_dev) == dev && UInt64(info.st_ino) == ino
    }
}
