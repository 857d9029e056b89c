import AgnoProtocol

extension RunTable {
    /// One user's live runs on this host: RUNNING ones and PENDING ones waiting for a slot.
    public struct UserOccupancy: Sendable, Equatable {
        public var user: String
        public var running: Int
        public var queued: Int
    }

    /// Each user with live runs, by user name (what the metrics' per-user gauges show).
    public var occupancy: [UserOccupancy] {
        let records = state.withLock { Array($0.live.values) }
        var byUser: [String: UserOccupancy] = [:]
        for record in records {
            let status = record.status
            guard status == .running || status == .pending else { continue }
            var entry = byUser[record.owner.user] ?? UserOccupancy(user: record.owner.user, running: 0, queued: 0)
            if status == .running { entry.running += 1 } else { entry.queued += 1 }
            byUser[record.owner.user] = entry
        }
        return byUser.values.sorted { $0.user < $1.user }
    }
}
