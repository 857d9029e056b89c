import AgnoCore
import AgnoProtocol
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// One host among several sharing a PostgreSQL store. It keeps this host's lease (a heartbeat in `hosts`),
/// listens on the `agnod` channel for cancels of its runs and for other hosts' new events, and ends the runs of
/// a host whose lease expired ("interrupted: host X stopped"), each taken by one host (`FOR UPDATE SKIP LOCKED`).
/// Times are the database's clock, so the hosts' clocks need not agree.
public final class PostgresCluster: ClusterLink {
    /// What the cluster asks of this host's run table.
    public struct Hooks: Sendable {
        /// Cancel this host's live run (another host asked for it).
        public var cancel: @Sendable (_ runID: String, _ reason: String, _ by: String) -> Void
        /// This host took over a dead host's unfinished runs (PENDING, RUNNING or PAUSED, as they were stored):
        /// end them, resume them or keep them waiting.
        public var tookOver: @Sendable (_ host: String, _ runs: [RunSummary]) async -> Void
        /// This host's lease was taken (it could not renew it in time): its live runs were ended elsewhere.
        public var leaseLost: @Sendable () -> Void
        /// Per-user slots may have freed (a run ended or paused somewhere, or the periodic check).
        public var slotsFreed: @Sendable () -> Void
        public init(
            cancel: @escaping @Sendable (String, String, String) -> Void,
            tookOver: @escaping @Sendable (String, [RunSummary]) async -> Void,
            leaseLost: @escaping @Sendable () -> Void, slotsFreed: @escaping @Sendable () -> Void
        ) {
            self.cancel = cancel
            self.tookOver = tookOver
            self.leaseLost = leaseLost
            self.slotsFreed = slotsFreed
        }
    }

    public let store: PostgresRunStore
    public var hostID: String { store.configuration.hostID }
    let wakeups = EventWakeups()
    let hooks = Mutex(Hook<Hooks>())
    let logger: Logger
    let quiet = Logger(label: "agnod-postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Whether the LISTEN connection is up (readers poll more often while it is not).
    let listening = Atomic<Bool>(false)

    public init(store: PostgresRunStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func setHooks(_ hooks: Hooks) { self.hooks.withLock { $0.body = hooks } }

    static let nowMS = "(extract(epoch from clock_timestamp()) * 1000)::bigint"

    /// Takes this host's lease (before start-up reads its unfinished runs: a host reaping it meanwhile
    /// either finished first or now sees the lease renewed).
    public func register() async throws {
        try await store.failing("cannot register host \(hostID)") { [self] in
            try await store.client.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO hosts (host_id, started_at_ms, heartbeat_at_ms, lease_ms) VALUES ($1, \(Self.nowMS), \(Self.nowMS), $2)
                        ON CONFLICT (host_id) DO UPDATE SET started_at_ms = excluded.started_at_ms,
                            heartbeat_at_ms = excluded.heartbeat_at_ms, lease_ms = excluded.lease_ms
                        """, binds: Self.binds(hostID, store.configuration.leaseMilliseconds)), logger: quiet)
        }
    }

    /// Gives the lease back at a clean stop (every run of this host has ended by then).
    public func deregister() async {
        _ = try? await store.client.query("DELETE FROM hosts WHERE host_id = \(hostID)", logger: quiet)
    }

    // MARK: ClusterLink

    public func requestCancel(runID: String, reason: String?, caller: Caller) async throws -> RunStatus? {
        // Who cancelled is in the reason when it is not the owner (as on one host); the row says which it is.
        let own = caller.cancelReason(reason, ownRun: true)
        let other = caller.cancelReason(reason, ownRun: false)
        return try await store.failing("cannot request the cancel of \(runID)") { [self] in
            let rows = try await store.client.query(
                """
                WITH asked AS (
                    UPDATE runs SET cancel_requested = CASE WHEN owner_uid = \(Int64(caller.uid)) THEN \(own) ELSE \(other) END,
                                    cancel_requested_by = \(caller.user)
                    WHERE run_id = \(runID) AND status IN ('PENDING', 'RUNNING') AND (\(caller.isAdmin) OR owner_uid = \(Int64(caller.uid)))
                    RETURNING status, host
                )
                SELECT status, CASE WHEN host IS NOT NULL THEN pg_notify(\(PostgresNotice.channel), 'c ' || host || ' ' || \(runID)) END
                FROM asked
                """, logger: quiet)
            var status: RunStatus?
            for try await row in rows { status = RunStatus(rawValue: try row.makeRandomAccess()[0].decode(String.self)) }
            return status
        }
    }

    public func eventToken(runID: String) -> UInt64 { wakeups.token(runID: runID) }

    public func waitForEvents(runID: String, since token: UInt64?, timeout: Duration) async {
        await wakeups.wait(
            runID: runID, since: token, timeout: listening.load(ordering: .relaxed) ? timeout : min(timeout, .milliseconds(100)))
    }

    public func claimPaused(runID: String, requirementSeq: Int) async throws -> Bool {
        try await store.failing("cannot take paused run \(runID)") { [self] in
            try await store.client.query(
                """
                UPDATE runs SET status = 'PENDING', host = \(hostID), slot = false
                WHERE run_id = \(runID) AND status = 'PAUSED' AND coalesce((waiting_for::jsonb ->> 'seq')::bigint, 0) = \(Int64(requirementSeq))
                RETURNING id
                """, logger: quiet
            ).collect().count == 1
        }
    }

    /// The advisory lock that serializes the slot claims of one user (keys above the migrator's).
    static func slotLock(_ uid: UInt32) -> Int64 { 0x6167_6E6F_0000_0000 | Int64(uid) }

    public func claimSlot(runID: String, ownerUID: UInt32, limit: Int) async throws -> Bool {
        try await store.failing("cannot take a slot for run \(runID)") { [self] in
            try await store.client.withConnection { connection in
                try await PostgresTransaction.run(connection, logger: quiet) { connection in
                    let uid = Int64(ownerUID)
                    try await connection.query("SELECT pg_advisory_xact_lock(\(Self.slotLock(ownerUID)))", logger: quiet)
                    var held: Int64 = 0
                    for try await count in try await connection.query(
                        """
                        SELECT count(*) FROM runs WHERE owner_uid = \(uid) AND slot AND status IN ('PENDING', 'RUNNING') AND run_id <> \(runID)
                        """, logger: quiet
                    ).decode(Int64.self) { held = count }
                    guard held < limit else { return false }
                    return try await connection.query(
                        "UPDATE runs SET slot = true WHERE run_id = \(runID) AND status IN ('PENDING', 'RUNNING') RETURNING id",
                        logger: quiet
                    ).collect().count == 1
                }
            }
        }
    }

    // MARK: Running

    /// Listens, renews the lease and reaps dead hosts until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            group.addTask { await self.beat() }
            await group.waitForAll()
        }
    }

    /// The LISTEN connection, reconnected whenever it drops; after each (re)connect, cancels asked for while it
    /// was down are applied from the store and every waiting reader reads the store again.
    func listen() async {
        var delay = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: store.connectionConfiguration, id: 1, logger: quiet)
                defer { Task { try? await connection.close() } }
                try await withTaskCancellationHandler {
                    try await connection.listen(on: PostgresNotice.channel) { notifications in
                        listening.store(true, ordering: .relaxed)
                        store.outage.listener(up: true)
                        delay = .milliseconds(100)
                        await catchUp()
                        wakeups.wakeAll()  // notifications of new events may have been missed: every reader reads again
                        hooks.withLock { $0.body }?.slotsFreed()
                        for try await notification in notifications { handle(notification.payload) }
                    }
                } onCancel: {
                    connection.close().whenComplete { _ in }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "lost the store's notifications; reconnecting",
                    metadata: ["store": "\(store.configuration)", "error": "\(PostgresErrorText.describe(error))"])
            }
            listening.store(false, ordering: .relaxed)
            store.outage.listener(up: false)
            wakeups.wakeAll()
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
        listening.store(false, ordering: .relaxed)
    }

    func handle(_ payload: String) {
        switch PostgresNotice(payload: payload) {
        case .events(let runIDs): wakeups.wake(runIDs)
        case .cancel(let host, _) where host == hostID: Task { await catchUp() }
        case .slots: hooks.withLock { $0.body }?.slotsFreed()
        case .cancel, nil: break
        }
    }

    /// Applies every cancel asked of this host's unfinished runs (idempotent: a run being cancelled stays so).
    func catchUp() async {
        do {
            let rows = try await store.client.query(
                """
                SELECT run_id, cancel_requested, coalesce(cancel_requested_by, '') FROM runs
                WHERE host = \(hostID) AND cancel_requested IS NOT NULL AND status IN ('PENDING', 'RUNNING')
                """, logger: quiet)
            let cancel = hooks.withLock { $0.body }?.cancel
            for try await (runID, reason, by) in rows.decode((String, String, String).self) { cancel?(runID, reason, by) }
        } catch {
            logger.warning("could not read cancel requests", metadata: ["error": "\(PostgresErrorText.describe(error))"])
        }
    }

    /// Every quarter lease: renew this host's lease, then end the runs of hosts whose lease expired. Only a
    /// host that has renewed its own lease for a whole lease without a failure reaps others: after an outage of
    /// the server every lease looks expired, and the live hosts must get the time to renew theirs first.
    func beat() async {
        let interval = store.configuration.lease / 4
        var healthySince: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                try await renew()
                let since = healthySince ?? .now
                healthySince = since
                if ContinuousClock.now - since >= store.configuration.lease {
                    do {
                        try await reap()
                    } catch {
                        logger.warning(
                            "could not take over the runs of stopped hosts; trying again",
                            metadata: ["error": "\(PostgresErrorText.describe(error))"])
                    }
                }
                hooks.withLock { $0.body }?.slotsFreed()  // a notification missed is caught up here
            } catch {
                healthySince = nil
                logger.warning(
                    "could not renew this host's lease", metadata: ["host": "\(hostID)", "error": "\(PostgresErrorText.describe(error))"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    func renew() async throws {
        let rows = try await store.client.query(
            "UPDATE hosts SET heartbeat_at_ms = \(unescaped: Self.nowMS) WHERE host_id = \(hostID) RETURNING host_id", logger: quiet
        ).collect()
        if rows.isEmpty {
            // Another host found the lease expired and ended this host's runs: stop them here too, then lease again.
            logger.error("this host's lease expired and its runs were ended by another host", metadata: ["host": "\(hostID)"])
            hooks.withLock { $0.body }?.leaseLost()
            try await register()
        }
    }

    /// Takes the unfinished runs of each host whose lease expired (one host does each: the lease row is locked,
    /// `SKIP LOCKED` for the others) and drops its lease, in one transaction; then hands them to `tookOver`.
    func reap() async throws {
        let taken: [(host: String, runs: [String])] = try await store.client.withConnection { connection in
            try await PostgresTransaction.run(connection, logger: quiet) { connection in
                // A host that stopped in the middle of a commit holds its runs' rows until its connection ends:
                // give up for this beat rather than wait (the next beat tries again).
                try await connection.query("SET LOCAL lock_timeout = '1s'", logger: quiet)
                let expired = try await connection.query(
                    """
                    SELECT host_id FROM hosts WHERE host_id <> \(hostID) AND heartbeat_at_ms + lease_ms < \(unescaped: Self.nowMS)
                    FOR UPDATE SKIP LOCKED
                    """, logger: quiet
                ).collect().map { try $0.decode(String.self) }
                var taken: [(String, [String])] = []
                for host in expired {
                    let runs = try await connection.query(
                        """
                        UPDATE runs SET host = \(hostID), slot = false WHERE host = \(host) AND status IN ('PENDING', 'RUNNING', 'PAUSED')
                        RETURNING run_id
                        """, logger: quiet
                    ).collect().map { try $0.decode(String.self) }
                    try await connection.query("DELETE FROM hosts WHERE host_id = \(host)", logger: quiet)
                    taken.append((host, runs))
                }
                return taken
            }
        }
        for (host, runIDs) in taken {
            var runs: [RunSummary] = []
            for id in runIDs {
                if let run = try await store.summary(runID: id) { runs.append(run) }
            }
            logger.warning("host's lease expired; this host takes its runs", metadata: ["host": "\(host)", "runs": "\(runs.count)"])
            await hooks.withLock { $0.body }?.tookOver(host, runs)
        }
        // A cancel asked of the dead host's runs while it was dying now reaches them here.
        if !taken.isEmpty { await catchUp() }
    }

    static func binds<T: PostgresDynamicTypeEncodable, U: PostgresDynamicTypeEncodable>(_ a: T, _ b: U) -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(a)
        bindings.append(b)
        return bindings
    }
}
