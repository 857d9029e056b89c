/// Which PENDING run starts next: each user's runs in order, users served round-robin, so one user's long
/// queue cannot starve another's first run.
struct RunQueue {
    private var queues: [UInt32: [RunRecord]] = [:]
    private var heads: [UInt32: Int] = [:]
    /// Users with queued runs, in the order they will be served.
    private var ring: [UInt32] = []

    func count(for uid: UInt32) -> Int { (queues[uid]?.count ?? 0) - (heads[uid] ?? 0) }

    mutating func enqueue(_ record: RunRecord) {
        let uid = record.owner.uid
        if count(for: uid) == 0 { ring.append(uid) }
        queues[uid, default: []].append(record)
    }

    /// The next run of the first user in the ring who may start one; that user moves to the back of the ring.
    mutating func next(mayStart: (UInt32) -> Bool) -> RunRecord? {
        for (position, uid) in ring.enumerated() where mayStart(uid) {
            guard let record = pop(uid) else { continue }
            ring.remove(at: position)
            if count(for: uid) > 0 { ring.append(uid) }
            return record
        }
        return nil
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
