import AgnoCore
import AgnoProtocol
import Foundation

/// Temporary directories and sample runs for the store's tests.
enum StoreTestSupport {
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "agnod-store-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func run(_ id: String, uid: UInt32 = 1001, status: RunStatus = .pending, created: Date = Date(timeIntervalSince1970: 1_700_000_000)) -> RunSummary {
        RunSummary(
            runID: id, sessionID: "session-\(id)", workflow: "article", status: status, ownerUID: uid, owner: "user\(uid)",
            input: "input of \(id) with ünïcode and \"quotes\"", createdAt: created,
            steps: [StepSummary(name: "research", index: 0), StepSummary(name: "writing", index: 1)])
    }

    static func events(_ range: ClosedRange<Int>, runID: String) -> [EncodedEvent] {
        range.map { seq in
            EncodedEvent(seq: seq, json: Array(#"{"event":"RunContent","run_id":"\#(runID)","content":"chunk \#(seq)"}"#.utf8))
        }
    }

    /// Where the checked-in database made by the first schema is.
    static var v1Fixture: String {
        Bundle.module.path(forResource: "v1-store", ofType: "sqlite", inDirectory: "Fixtures")!
    }
}
