/// Which PENDING run starts next: each user's runs in order; among users with waiting runs, the one served
/// longest ago goes first (round-robin over time), so one user's long queue cannot starve another's first run.
struct RunQueue {
    private var queues: [UInt32: [RunRecord]] = [:]
    private var heads: [UInt32: Int] = [:]
    /// Users with queued runs, in the order their runs arrived.
    private var ring: [UInt32] = []
    /// When each user last had a run started (a counter).
    private var lastServed: [UInt32: Int] = [:]
    private var clock = 0

    /// Runs waiting, all users.
    var total: Int { queues.keys.reduce(0) { $0 + count(for: $1) } }

    func count(for uid: UInt32) -> Int { (queues[uid]?.count ?? 0) - (heads[uid] ?? 0) }

    mutating func enqueue(_ record: RunRecord) {
        let uid = record.owner.uid
        if count(for: uid) == 0 { ring.append(uid) }
        queues[uid, default: []].append(record)
    }

    /// Puts a run taken by `next` back at the head of its user's queue (it could not start after all).
    mutating func putBack(_ record: RunRecord) {
        let uid = record.owner.uid
        if count(for: uid) == 0 { ring.append(uid) }
        let head = heads[uid] ?? 0
        if head > 0 {
            queues[uid]![head - 1] = record
            heads[uid] = head - 1
        } else {
            queues[uid, default: []].insert(record, at: 0)
        }
    }

    /// The next run of the user, among those who may start one, who was served longest ago.
    mutating func next(mayStart: (UInt32) -> Bool) -> RunRecord? {
        var best: (position: Int, served: Int)?
        for (position, uid) in ring.enumerated() where mayStart(uid) {
            let served = lastServed[uid] ?? -1
            if best == nil || served < best!.served { best = (position, served) }
        }
        guard let best else { return nil }
        let uid = ring[best.position]
        guard let record = pop(uid) else { return nil }
        clock += 1
        lastServed[uid] = clock
        if count(for: uid) == 0 { ring.remove(at: best.position) }
        return record
    }

    /// Removes a run that was cancelled while it waited.
    mutating func remove(_ record: RunRecord) {
        let uid = record.owner.uid
        guard var queue = queues[uid], let index = queue.firstIndex(where: { $0 === record }) else { return }
        let head = heads[uid] ?? 0
        guard index >= head else { return }
        queue.remove(at: index)
        queues[uid] = queue
        if count(for: uid) == 0 { drop(uid) }
    }

    private mutating func pop(_ uid: UInt32) -> RunRecord? {
        guard let queue = queues[uid] else { return nil }
        let head = heads[uid] ?? 0
        guard head < queue.count else { return nil }
        let record = queue[head]
        if head + 1 == queue.count {
            queues[uid] = nil
            heads[uid] = nil
        } else if head + 1 > 64 && (head + 1) * 2 > queue.count {
            queues[uid] = Array(queue[(head + 1)...])
            heads[uid] = 0
        } else {
            heads[uid] = head + 1
        }
        return record
    }

    private mutating func drop(_ uid: UInt32) {
        queues[uid] = nil
        heads[uid] = nil
        ring.removeAll { $0 == uid }
    }
}
