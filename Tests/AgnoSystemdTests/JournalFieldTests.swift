import Foundation
import Logging
import Testing

@testable import AgnoSystemd

/// journald keeps only fields named `[A-Z0-9_]` (not starting with `_` or a digit): metadata keys must be mapped.
@Suite struct JournalFieldTests {
    @Test(arguments: [
        ("run_id", "AGNO_RUN_ID"), ("workflow", "AGNO_WORKFLOW"), ("workflow-name", "AGNO_WORKFLOW_NAME"),
        ("_private", "AGNO_PRIVATE"), ("9lives", "AGNO_LIVES"), ("ünï", "AGNO_N_"), ("a.b c", "AGNO_A_B_C"),
    ])
    func metadataKeysBecomeValidFieldNames(key: String, expected: String) {
        #expect(JournalFieldName.forMetadata(key) == expected)
    }

    @Test func keysWithNothingUsableAreDroppedAndLongOnesCut() {
        #expect(JournalFieldName.forMetadata("___") == nil)
        #expect(JournalFieldName.forMetadata("123") == nil)
        let long = JournalFieldName.forMetadata(String(repeating: "x", count: 100))!
        #expect(long.count == 64)
        #expect(long.allSatisfy { $0 == "X" || "AGNO_".contains($0) })
    }

    @Test func anEntryCarriesMessagePriorityIdentifierMessageIDAndPrefixedMetadata() {
        let event = LogEvent(
            level: .warning, message: "run cancelled", metadata: ["run_id": "r1", "message_id": "\(MessageID.runCancelled.rawValue)"],
            source: "AgnoDaemon", file: "Daemon.swift", function: "f", line: 7)
        let fields = JournalLogHandler.fields(event: event, metadata: ["uid": "1001"], identifier: "agnod")
        #expect(fields.contains("MESSAGE=run cancelled"))
        #expect(fields.contains("PRIORITY=4"))
        #expect(fields.contains("SYSLOG_IDENTIFIER=agnod"))
        #expect(fields.contains("MESSAGE_ID=cdf2bb28c3e7476d934502be2fbde0dd"))
        #expect(fields.contains("AGNO_RUN_ID=r1"))
        #expect(fields.contains("AGNO_UID=1001"))
        #expect(!fields.contains { $0.hasPrefix("AGNO_MESSAGE_ID") })
        #expect(
            fields.allSatisfy { field in
                let name = field.prefix { $0 != "=" }
                return !name.isEmpty && name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } && !name.hasPrefix("_")
            })
    }

    @Test func messageIDsAreDistinct128BitHex() {
        let ids = MessageID.allCases.map(\.rawValue)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.count == 32 && $0.allSatisfy(\.isHexDigit) })
    }

    /// Every MESSAGE_ID agnod logs has its entry in the journal catalog it installs, and no entry is left over.
    @Test func everyMessageIDHasACatalogEntry() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("systemd/agnod.catalog"), encoding: .utf8)
        let entries = text.split(separator: "\n").filter { $0.hasPrefix("-- ") }.map { String($0.dropFirst(3)) }
        #expect(Set(entries) == Set(MessageID.allCases.map(\.rawValue)))
        #expect(entries.count == Set(entries).count)
    }
}

extension JournalFieldTests {
    /// Building the iovec array over many fields of any size (sent to journald if one runs, else dropped).
    @Test func sendingManyFieldsWorksWithOrWithoutJournald() {
        let fields =
            (0..<50).map { "AGNO_F\($0)=\(String(repeating: "v", count: $0 * 100))" } + [
                "MESSAGE=agnod test entry", "SYSLOG_IDENTIFIER=agnod-test",
            ]
        JournalLogHandler.send(fields)
        var handler = JournalLogHandler(identifier: "agnod-test")
        handler[metadataKey: "run_id"] = "unit"
        handler.log(
            event: LogEvent(
                level: .debug, message: "below the level", metadata: nil, source: "t", file: #file, function: #function, line: #line))
    }
}
