import AgnoCore
import Testing

/// A block holds its events' bytes joined by newlines (a store row's form) and gives each back exactly, with its
/// seq; appending another block keeps only the seqs after a point, up to a count; empty events stay events.
@Suite struct EventBlockTests {
    static func events(_ seqs: [Int]) -> [EncodedEvent] {
        seqs.map {
            EncodedEvent(seq: $0, json: $0 % 5 == 0 ? [] : Array("{\"n\":\($0),\"t\":\"\(String(repeating: "ü", count: $0 % 7))\"}".utf8))
        }
    }

    @Test func eventsComeBackAsTheyWentIn() {
        let events = Self.events(Array(1...40) + [45, 46])
        let block = EventBlock(events)
        #expect(block.events == events)
        #expect(block.count == 42 && block.lastSeq == 46)
        #expect(block.json == Array(events.map(\.json).joined(separator: [UInt8(ascii: "\n")])))  // a store row's bytes
        var seen: [Int] = []
        block.forEach { seq, json in
            seen.append(seq)
            #expect([UInt8](json) == events.first { $0.seq == seq }!.json)
        }
        #expect(seen == events.map(\.seq))
        #expect(EventBlock().events.isEmpty && EventBlock().lastSeq == nil)
    }

    @Test(arguments: [(0, 100), (0, 3), (10, 5), (39, 100), (40, 2), (46, 10), (3, 0)])
    func appendingKeepsTheSeqsAfterAPointUpToALimit(after: Int, limit: Int) {
        let first = Self.events([1, 2, 3])
        let other = Self.events(Array(4...40) + [45, 46])
        var block = EventBlock(first)
        block.append(EventBlock(other), after: after, limit: limit)
        let expected = first + other.filter { $0.seq > after }.prefix(max(0, limit - first.count))
        #expect(block.events == expected)
        // The same through a store row's joined bytes, from any event of it on.
        var joined = EventBlock(first)
        let row = EventBlock(other)
        let from = row.seqs.firstIndex { $0 > after } ?? row.count
        let to = min(row.count, from + max(0, limit - first.count))
        if from < to {
            row.json.withUnsafeBytes { bytes in
                let start = row.start(of: from)
                joined.append(
                    joined: UnsafeRawBufferPointer(rebasing: bytes[start..<row.ends[to - 1]]), firstSeq: row.seqs[from],
                    ends: row.ends[from..<to].map { $0 - start })
            }
        }
        #expect(joined.events.map(\.json) == expected.map(\.json))
    }
}
