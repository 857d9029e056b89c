import AgnoCore
import Synchronization

/// Stored events in fixed pages of `pageSize` seqs, shared by every reader of the store. Many readers
/// replaying one run (a fan-out) then cost one SQLite read per page instead of one per reader. Only full
/// pages are kept: a stored event never changes, so a full page never goes stale; a run's pages are dropped
/// when the run is deleted. Least recently used pages go first once `budget` bytes are held. A page is kept
/// only when it is read a second time: one reader catching up alone (a slow client) does not fill the cache.
final class EventPageCache: Sendable {
    struct Key: Hashable, Sendable {
        var run: String
        var page: Int
    }

    private struct Entry {
        var events: EventBlock
        var bytes: Int
        var lastUse: Int
    }

    private struct State {
        var pages: [Key: Entry] = [:]
        var bytes = 0
        var clock = 0
        var hits = 0
        var misses = 0
        /// Pages read once (not kept yet); forgotten in bulk when it grows past `maxSeen`.
        var seen: Set<Key> = []
    }
    private static let maxSeen = 8192

    let pageSize: Int
    let budget: Int
    private let state = Mutex(State())

    init(pageSize: Int = 512, budget: Int = 64 << 20) {
        self.pageSize = pageSize
        self.budget = budget
    }

    /// The page holding `seq` (seqs start at 1): page p holds p*pageSize+1 ... (p+1)*pageSize.
    func page(of seq: Int) -> Int { (seq - 1) / pageSize }

    func get(_ key: Key) -> EventBlock? {
        state.withLock { s in
            s.clock += 1
            guard var entry = s.pages[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            entry.lastUse = s.clock
            s.pages[key] = entry
            return entry.events
        }
    }

    /// Keeps a page that holds all `pageSize` of its events.
    func put(_ key: Key, _ events: EventBlock) {
        guard events.count == pageSize else { return }
        let bytes = events.json.count + 16 * events.count
        guard bytes <= budget / 4 else { return }
        state.withLock { s in
            guard s.seen.remove(key) != nil else {
                if s.seen.count >= Self.maxSeen { s.seen = [] }
                s.seen.insert(key)
                return
            }
            s.clock += 1
            if let old = s.pages.updateValue(Entry(events: events, bytes: bytes, lastUse: s.clock), forKey: key) {
                s.bytes -= old.bytes
            }
            s.bytes += bytes
            guard s.bytes > budget else { return }
            // Evict down to three quarters of the budget in one pass, oldest first.
            for (key, entry) in s.pages.sorted(by: { $0.value.lastUse < $1.value.lastUse }) {
                s.pages[key] = nil
                s.bytes -= entry.bytes
                if s.bytes <= budget * 3 / 4 { break }
            }
        }
    }

    func remove(run: String) {
        state.withLock { s in
            for key in s.pages.keys where key.run == run {
                s.bytes -= s.pages.removeValue(forKey: key)!.bytes
            }
            s.seen = s.seen.filter { $0.run != run }
        }
    }

    func removeAll() {
        state.withLock { s in
            s.pages = [:]
            s.seen = []
            s.bytes = 0
        }
    }

    var statistics: (hits: Int, misses: Int, bytes: Int) { state.withLock { ($0.hits, $0.misses, $0.bytes) } }
}
