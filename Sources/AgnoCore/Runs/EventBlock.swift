/// Events of one run in one buffer, the way a store keeps them: their JSON objects joined by newlines in
/// `json` (an event's compact JSON has none), the i-th ending at `ends[i]`, with seq `seqs[i]`. A replay
/// writes its frames straight from it, and a store's row of consecutive events goes in with one copy: one
/// buffer per page of events instead of an array per event.
public struct EventBlock: Sendable, Equatable {
    public private(set) var json: [UInt8] = []
    public private(set) var seqs: [Int] = []
    public private(set) var ends: [Int] = []

    public init() {}

    public init(_ events: [EncodedEvent]) {
        reserve(events: events.count, bytes: events.reduce(events.count) { $0 + $1.json.count })
        for event in events { event.json.withUnsafeBytes { append(seq: event.seq, json: $0) } }
    }

    public var count: Int { seqs.count }
    public var isEmpty: Bool { seqs.isEmpty }
    public var lastSeq: Int? { seqs.last }

    public mutating func reserve(events: Int, bytes: Int) {
        json.reserveCapacity(bytes)
        seqs.reserveCapacity(events)
        ends.reserveCapacity(events)
    }

    /// Where the i-th event's JSON starts in `json` (after the newline that ends the one before).
    public func start(of i: Int) -> Int { i == 0 ? 0 : ends[i - 1] + 1 }

    public mutating func append(seq: Int, json event: UnsafeRawBufferPointer) {
        append(joined: event, seqs: CollectionOfOne(seq), ends: CollectionOfOne(event.count))
    }

    /// Appends the events `firstSeq`, `firstSeq + 1`, … that `joined` holds, joined by newlines, in one copy;
    /// `ends`: where each ends in `joined`.
    public mutating func append(joined: UnsafeRawBufferPointer, firstSeq: Int, ends joinedEnds: [Int]) {
        append(joined: joined, seqs: firstSeq..<(firstSeq + joinedEnds.count), ends: joinedEnds)
    }

    /// Appends the events of `other` with a seq after `afterSeq`, until this block holds `limit` events.
    public mutating func append(_ other: EventBlock, after afterSeq: Int, limit: Int) {
        guard let from = other.seqs.firstIndex(where: { $0 > afterSeq }), count < limit else { return }
        let to = min(other.count, from + limit - count)
        let start = other.start(of: from)
        other.json.withUnsafeBytes { bytes in
            append(
                joined: UnsafeRawBufferPointer(rebasing: bytes[start..<other.ends[to - 1]]), seqs: other.seqs[from..<to],
                ends: other.ends[from..<to].lazy.map { $0 - start })
        }
    }

    /// The one way bytes go in: events joined by newlines (after a newline when the block holds some already),
    /// their seqs, and where each ends in `joined`.
    private mutating func append(joined: UnsafeRawBufferPointer, seqs newSeqs: some Collection<Int>, ends joinedEnds: some Collection<Int>)
    {
        guard !newSeqs.isEmpty else { return }
        if !seqs.isEmpty { json.append(UInt8(ascii: "\n")) }
        let base = json.count
        json.append(contentsOf: joined)
        seqs.append(contentsOf: newSeqs)
        ends.append(contentsOf: joinedEnds.lazy.map { base + $0 })
    }

    /// Each event's seq and JSON, in order (the bytes are valid only inside `body`).
    public func forEach(_ body: (_ seq: Int, _ json: UnsafeRawBufferPointer) throws -> Void) rethrows {
        try json.withUnsafeBytes { bytes in
            for i in seqs.indices {
                try body(seqs[i], UnsafeRawBufferPointer(rebasing: bytes[start(of: i)..<ends[i]]))
            }
        }
    }

    /// The events one by one (an array each).
    public var events: [EncodedEvent] {
        var events: [EncodedEvent] = []
        events.reserveCapacity(count)
        forEach { seq, json in events.append(EncodedEvent(seq: seq, json: [UInt8](json))) }
        return events
    }
}
