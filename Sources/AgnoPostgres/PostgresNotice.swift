/// What hosts tell each other on the `agnod` LISTEN/NOTIFY channel. A notification is only a hint that the
/// store changed (its payload stays far below PostgreSQL's 8,000-byte limit): whoever receives it reads the
/// store, and whoever missed one (a reconnect) catches up from the store, so nothing depends on its delivery.
enum PostgresNotice: Equatable {
    /// `e RUN RUN …`: these runs have new events stored.
    case events([String])
    /// `c HOST RUN`: someone asked to cancel a run that HOST executes; the reason is in the run's row. (Sent by
    /// `PostgresCluster.requestCancel`'s statement, which builds it from the row's host.)
    case cancel(host: String, runID: String)
    /// `s`: runs ended or paused, so per-user slots may have freed: hosts with runs waiting for one try again.
    case slots

    static let channel = "agnod"
    /// Well under the 8,000 bytes NOTIFY allows.
    static let maxPayload = 7_000

    /// The `events` payloads for these runs, split so that none is longer than `maxPayload`.
    static func eventPayloads(_ runIDs: [String]) -> [String] {
        var payloads: [String] = []
        var current = "e"
        for id in runIDs {
            if current.utf8.count + 1 + id.utf8.count > maxPayload {
                payloads.append(current)
                current = "e"
            }
            current += " " + id
        }
        if current != "e" { payloads.append(current) }
        return payloads
    }

    static let slotsPayload = "s"

    init?(payload: String) {
        let words = payload.split(separator: " ").map(String.init)
        switch words.first {
        case "e": self = .events(Array(words.dropFirst()))
        case "c" where words.count == 3: self = .cancel(host: words[1], runID: words[2])
        case "s" where words.count == 1: self = .slots
        default: return nil
        }
    }
}
