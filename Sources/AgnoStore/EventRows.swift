import AgnoCore
import Foundation

/// How events lie in the `events` table: a run's consecutive events of one commit share a row, up to
/// `perRow` of them: `seq` is the first one's, `last_seq` the last one's, and `json` their JSON objects joined
/// by newlines (an event's JSON has none). A row with no `last_seq` holds one event (every row written before
/// schema v7). One row per commit instead of per event: a streamed answer's pieces cost one B-tree insert,
/// and a replay steps through a row per hundred events.
enum EventRows {
    /// The most events in one row (a row read back that claims more is malformed).
    static let perRow = 256

    /// SQL for the last seq stored for the run `run` (a column or a parameter): its last row's `last_seq`, or
    /// that row's `seq` when it holds one event.
    static func lastSeq(ofRun run: String) -> String {
        "(SELECT coalesce(e.last_seq, e.seq) FROM events e WHERE e.run = \(run) ORDER BY e.seq DESC LIMIT 1)"
    }

    /// One row to insert.
    struct Row: Equatable {
        var first: Int
        /// Nil for a row of one event.
        var last: Int?
        var json: [UInt8]
    }

    /// `events` (one run's, in seq order) as rows: runs of consecutive seqs, at most `perRow` each.
    static func rows(_ events: [EncodedEvent]) -> [Row] {
        var rows: [Row] = []
        var i = 0
        while i < events.count {
            var j = i + 1
            while j < events.count, j - i < perRow, events[j].seq == events[j - 1].seq + 1 { j += 1 }
            if j - i == 1 {
                rows.append(Row(first: events[i].seq, last: nil, json: events[i].json))
            } else {
                var json: [UInt8] = []
                json.reserveCapacity(events[i..<j].reduce(j - i) { $0 + $1.json.count })
                for k in i..<j {
                    if k > i { json.append(UInt8(ascii: "\n")) }
                    json.append(contentsOf: events[k].json)
                }
                rows.append(Row(first: events[i].seq, last: events[j - 1].seq, json: json))
            }
            i = j
        }
        return rows
    }

    /// Appends the events of the row (`first`, `last`, `json`) whose seqs are in `seqs` to `events`. Throws
    /// when the row does not hold `last - first + 1` events.
    static func append(
        first: Int, last: Int?, json: UnsafeRawBufferPointer, in seqs: ClosedRange<Int>, to events: inout EventBlock
    ) throws(Malformed) {
        guard let last else {
            if seqs.contains(first) { events.append(seq: first, json: json) }
            return
        }
        guard last > first, last - first < perRow else {
            throw Malformed(first: first, last: last, reason: "not a range of 2 to \(perRow) seqs")
        }
        guard let base = json.baseAddress else { throw Malformed(first: first, last: last, reason: "no events") }
        // Where the wanted events lie in the row (one copy of them all, after every event was counted).
        var wanted: (from: Int, ends: [Int])?
        var seq = first
        var start = 0
        while true {
            let newline = start < json.count ? memchr(base + start, Int32(UInt8(ascii: "\n")), json.count - start) : nil
            let end = newline.map { UnsafeRawPointer($0) - base } ?? json.count
            guard seq <= last else { throw Malformed(first: first, last: last, reason: "more events than seqs") }
            if seqs.contains(seq) {
                if wanted == nil { wanted = (start, []) }
                wanted!.ends.append(end - wanted!.from)
            }
            seq += 1
            guard newline != nil else { break }
            start = end + 1
        }
        guard seq == last + 1 else { throw Malformed(first: first, last: last, reason: "fewer events than seqs") }
        if let wanted {
            let firstWanted = max(first, seqs.lowerBound)
            events.append(
                joined: UnsafeRawBufferPointer(rebasing: json[wanted.from..<(wanted.from + wanted.ends.last!)]), firstSeq: firstWanted,
                ends: wanted.ends)
        }
    }

    /// A row that does not read back as its seqs say.
    struct Malformed: Error, CustomStringConvertible {
        let first: Int
        let last: Int
        let reason: String
        var description: String { "the stored events \(first)…\(last) are malformed (\(reason))" }
    }
}
