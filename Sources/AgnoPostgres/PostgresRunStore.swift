import AgnoCore
import AgnoProtocol
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The run store in PostgreSQL, for more than one host: the same tables and semantics as `SQLiteRunStore`
/// (an insert is durable before it returns; a batch is one transaction; events of a removed run are dropped),
/// through a postgres-nio connection pool. Open with `open`, end with `close`.
public final class PostgresRunStore: RunStore {
    public let configuration: PostgresStoreConfiguration
    let client: PostgresClient
    private let running: Task<Void, Never>
    let logger = Logger(label: "agnod-postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// For connections outside the pool (the cluster's LISTEN).
    let connectionConfiguration: PostgresConnection.Configuration

    private init(
        configuration: PostgresStoreConfiguration, client: PostgresClient, connectionConfiguration: PostgresConnection.Configuration
    ) {
        self.configuration = configuration
        self.client = client
        self.connectionConfiguration = connectionConfiguration
        running = Task { await client.run() }
    }

    /// Connects (failing at once, naming host and port, when the server cannot be reached), applies the
    /// migrations the database lacks, and starts the pool.
    public static func open(_ configuration: PostgresStoreConfiguration) async throws -> PostgresRunStore {
        try await open(configuration, migrations: PostgresSchema.migrations)
    }

    /// `open` with only some of the migrations: tests make databases of earlier versions with it.
    static func open(_ configuration: PostgresStoreConfiguration, migrations: [PostgresMigration]) async throws -> PostgresRunStore {
        let location = configuration.description
        let logger = Logger(label: "agnod-postgres", factory: { _ in SwiftLogNoOpLogHandler() })
        var options = PostgresConnection.Configuration.Options()
        options.connectTimeout = .nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000)
        options.additionalStartupParameters = configuration.sessionSettings
        var connectionConfiguration = PostgresConnection.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: .disable)
        connectionConfiguration.options = options
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw PostgresStoreError(
                location: location, reason: "cannot connect to \(configuration.address): \(PostgresErrorText.describe(error))")
        }
        do {
            try await PostgresMigrator.migrate(connection, migrations: migrations, location: location, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            if let error = error as? PostgresStoreError { throw error }
            throw PostgresStoreError(location: location, reason: "cannot migrate: \(PostgresErrorText.describe(error))")
        }
        var clientConfiguration = PostgresClient.Configuration(
            host: configuration.host, port: configuration.port, username: configuration.username, password: configuration.password,
            database: configuration.database, tls: .disable)
        clientConfiguration.options.connectTimeout = configuration.connectTimeout
        clientConfiguration.options.additionalStartupParameters = configuration.sessionSettings
        clientConfiguration.options.maximumConnections = 8
        return PostgresRunStore(
            configuration: configuration, client: PostgresClient(configuration: clientConfiguration),
            connectionConfiguration: connectionConfiguration)
    }

    /// Closes the pool's connections.
    public func close() async {
        if let connection = writerConnection.withLock({ $0 }) { try? await connection.close() }
        running.cancel()
        await running.value
    }

    /// Whether the server was found unreachable a moment ago (requests then fail at once).
    let outage = PostgresOutage()

    /// Runs `body` within `PostgresOutage.answerWithin`, turning postgres-nio's errors into a
    /// `PostgresStoreError` that says what went wrong; fails at once while the server was just found unreachable.
    func failing<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        if outage.blocking {
            throw PostgresStoreError(
                location: configuration.description, reason: "\(what): the server at \(configuration.address) is unreachable",
                unreachable: true)
        }
        do {
            let value = try await within(PostgresOutage.answerWithin, body)
            outage.succeeded()
            return value
        } catch let error as PostgresStoreError {
            throw error
        } catch is PostgresTimeout {
            outage.failed()
            throw PostgresStoreError(
                location: configuration.description,
                reason: "\(what): the server at \(configuration.address) did not answer within \(PostgresOutage.answerWithin)",
                unreachable: true)
        } catch {
            let unreachable = PostgresErrorText.isUnreachable(error)
            if unreachable { outage.failed() }
            throw PostgresStoreError(
                location: configuration.description, reason: "\(what): \(PostgresErrorText.describe(error))", unreachable: unreachable)
        }
    }

    public func insert(_ run: RunSummary) async throws {
        try await failing("cannot insert run \(run.runID)") { [self] in
            try await client.withConnection { connection in
                try await PostgresTransaction.run(connection, logger: logger) { connection in
                    let rows = try await connection.query(
                        """
                        INSERT INTO runs (run_id, session_id, workflow, status, owner_uid, owner, input, content, error,
                                          created_at_ms, started_at_ms, finished_at_ms, additional_data, session_state, workflow_digest,
                                          host)
                        VALUES (\(run.runID), \(run.sessionID), \(run.workflow), \(run.status.rawValue), \(Int64(run.ownerUID)),
                                \(run.owner), \(run.input), \(run.content), \(run.error), \(PostgresRows.milliseconds(run.createdAt)),
                                \(PostgresRows.milliseconds(run.startedAt)), \(PostgresRows.milliseconds(run.finishedAt)),
                                \(run.additionalData?.encodedString), \(run.sessionState?.encodedString), \(run.workflowDigest),
                                \(configuration.hostID))
                        RETURNING id
                        """, logger: logger)
                    var key: Int64?
                    for try await id in rows.decode(Int64.self) { key = id }
                    guard let key else { throw PostgresStoreError(location: configuration.description, reason: "no id for \(run.runID)") }
                    try await PostgresRunWriter.saveSteps(connection, key: key, run.steps, logger: logger)
                }
            }
        }
    }

    /// One transaction; other hosts hear which runs got new events when it commits. While the server cannot
    /// be reached the commit is tried again (every statement is idempotent, so a commit whose reply was lost
    /// can be repeated) for `retryFor`; an error the server reports is not retried.
    /// How long one commit's transaction may take before its connection is closed and the commit tried again.
    static let commitLimit = Duration.seconds(10)

    public func commit(_ batch: StoreBatch) async throws {
        guard !batch.isEmpty else { return }
        let hostID = configuration.hostID
        let deadline = ContinuousClock.now + configuration.retryFor
        var delay = Duration.milliseconds(50)
        while true {
            do {
                try await attempt(batch, host: hostID)
                outage.succeeded()
                return
            } catch {
                let unreachable = error is PostgresTimeout || PostgresErrorText.isUnreachable(error)
                if unreachable { outage.failed() }
                guard unreachable, ContinuousClock.now + delay < deadline else {
                    throw PostgresStoreError(
                        location: configuration.description, reason: "cannot commit: \(PostgresErrorText.describe(error))",
                        unreachable: unreachable)
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(1))
            }
        }
    }

    /// How long a commit waits for its connection to open before it tries again.
    static let connectLimit = Duration.seconds(5)

    /// The store writer's own connection (commits are one at a time, in order): opened when first needed and
    /// again after a failure. Not the pool's: under load a lease request of the pool was seen never to be
    /// answered while the pool had idle connections, which held the writer, and every run of the host, forever.
    let writerConnection = Mutex<PostgresConnection?>(nil)

    /// One try of a commit: its transaction on the writer's connection.
    func attempt(_ batch: StoreBatch, host hostID: String) async throws {
        let connection: PostgresConnection
        if let open = writerConnection.withLock({ $0 }), !open.isClosed {
            connection = open
        } else {
            let configuration = connectionConfiguration
            let logger = self.logger
            connection = try await within(Self.connectLimit) {
                try await PostgresConnection.connect(configuration: configuration, id: 2, logger: logger)
            }
            writerConnection.withLock { $0 = connection }
        }
        do {
            // Not waited for beyond `commitLimit`: a connection the server ended while this process could not
            // notice (seen after a restart of the server) never answers; the try is given up, the connection
            // dropped, and the commit tried again on a new one. Should the given-up transaction still commit,
            // it changes nothing newer: a run's row is not set back to an older state (see PostgresRunWriter).
            try await within(Self.commitLimit) { [logger] in
                try await PostgresTransaction.run(connection, logger: logger) { connection in
                    try await PostgresRunWriter.write(batch, host: hostID, connection, logger: logger)
                }
            }
        } catch {
            // A server's refusal leaves the connection usable; anything else: a new one next time.
            if error is PostgresTimeout || PostgresErrorText.isUnreachable(error) {
                writerConnection.withLock { $0 = nil }
                connection.close().whenComplete { _ in }
            }
            throw error
        }
    }

    /// This host's unfinished runs (and those of a database from before hosts were kept, which it takes).
    public func unfinished() async throws -> [RunSummary] {
        try await failing("cannot read unfinished runs") { [self] in
            let statuses = [RunStatus.pending, .running, .paused].map(\.rawValue)
            try await client.query(
                "UPDATE runs SET host = \(configuration.hostID) WHERE host IS NULL AND status = ANY(\(statuses))", logger: logger)
            let rows = try await client.query(
                PostgresQuery(
                    unsafeSQL: "SELECT \(PostgresRows.runColumns) FROM runs r WHERE r.host = $1 AND r.status = ANY($2) ORDER BY r.id DESC",
                    binds: try binds(configuration.hostID, statuses)),
                logger: logger
            ).collect()
            return try await summaries(rows)
        }
    }

    public func events(runID: String, afterSeq: Int, limit: Int) async throws -> [EncodedEvent] {
        guard limit > 0 else { return [] }
        return try await failing("cannot read events of \(runID)") { [self] in
            var events: [EncodedEvent] = []
            let rows = try await client.query(
                """
                SELECT seq, json FROM events WHERE run = (SELECT id FROM runs WHERE run_id = \(runID)) AND seq > \(Int64(afterSeq))
                ORDER BY seq LIMIT \(Int64(clamping: limit))
                """, logger: logger)
            for try await (seq, json) in rows.decode((Int64, ByteBuffer).self) {
                events.append(EncodedEvent(seq: Int(seq), json: Array(json.readableBytesView)))
            }
            return events
        }
    }

    public func toolCalls(runID: String, afterSeq: Int, limit: Int, toolCallID: String?) async throws -> [ToolCallRecord] {
        guard limit > 0 else { return [] }
        return try await failing("cannot read tool calls of \(runID)") { [self] in
            let rows = try await client.query(
                """
                SELECT seq, tool_call_id, step_index, step_name, agent_id, name, arguments, result, error, duration_ms FROM tool_calls
                WHERE run = (SELECT id FROM runs WHERE run_id = \(runID)) AND seq > \(Int64(afterSeq))
                  AND (\(toolCallID)::text IS NULL OR tool_call_id = \(toolCallID))
                ORDER BY seq LIMIT \(Int64(clamping: limit))
                """, logger: logger)
            var calls: [ToolCallRecord] = []
            for try await row in rows {
                let r = row.makeRandomAccess()
                let arguments = try r["arguments"].decode(String.self)
                calls.append(
                    ToolCallRecord(
                        seq: Int(try r["seq"].decode(Int64.self)), toolCallID: try r["tool_call_id"].decode(String.self),
                        stepIndex: Int(try r["step_index"].decode(Int64.self)), stepName: try r["step_name"].decode(String.self),
                        agentID: try r["agent_id"].decode(String.self), name: try r["name"].decode(String.self),
                        arguments: (try? JSONValue.parse(arguments)) ?? .string(arguments), result: try r["result"].decode(String?.self),
                        error: try r["error"].decode(String?.self), durationMS: try r["duration_ms"].decode(Double.self)))
            }
            return calls
        }
    }

    public func position(runID: String) async throws -> [NodeResult] {
        try await failing("cannot read the position of \(runID)") { [self] in
            let rows = try await client.query(
                """
                SELECT seq, path, idx, succeeded, output FROM node_results WHERE run = (SELECT id FROM runs WHERE run_id = \(runID))
                ORDER BY seq
                """, logger: logger)
            var results: [NodeResult] = []
            for try await (seq, path, index, succeeded, output) in rows.decode((Int64, String, Int64, Bool, String).self) {
                results.append(NodeResult(seq: Int(seq), path: path, index: Int(index), succeeded: succeeded, output: output))
            }
            return results
        }
    }

    public func summary(runID: String) async throws -> RunSummary? {
        try await failing("cannot read run \(runID)") { [self] in
            let rows = try await client.query(
                PostgresQuery(unsafeSQL: "SELECT \(PostgresRows.runColumns) FROM runs r WHERE r.run_id = $1", binds: try binds(runID)),
                logger: logger)
            return try await summaries(rows.collect()).first
        }
    }

    public func summaries(ownerUID: UInt32?, statuses: Set<RunStatus>?, limit: Int) async throws -> [RunSummary] {
        if let statuses, statuses.isEmpty { return [] }
        return try await failing("cannot list runs") { [self] in
            var bindings = PostgresBindings()
            var conditions: [String] = []
            if let ownerUID {
                bindings.append(Int64(ownerUID))
                conditions.append("r.owner_uid = $\(bindings.count)")
            }
            if let statuses {
                bindings.append(statuses.map(\.rawValue).sorted())
                conditions.append("r.status = ANY($\(bindings.count))")
            }
            bindings.append(Int64(clamping: limit))
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            let sql = "SELECT \(PostgresRows.runColumns) FROM runs r \(filter) ORDER BY r.id DESC LIMIT $\(bindings.count)"
            let rows = try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).collect()
            return try await summaries(rows)
        }
    }

    /// The summaries of `rows`, with the steps of all of them read in one query.
    func summaries(_ rows: [PostgresRow]) async throws -> [RunSummary] {
        guard !rows.isEmpty else { return [] }
        let keys = try rows.map { try $0.makeRandomAccess()["id"].decode(Int64.self) }
        var steps: [Int64: [StepSummary]] = [:]
        let stepRows = try await client.query(
            PostgresQuery(
                unsafeSQL: "SELECT \(PostgresRows.stepColumns) FROM steps WHERE run = ANY($1) ORDER BY run, idx", binds: try binds(keys)),
            logger: logger)
        for try await row in stepRows {
            let (key, step) = try PostgresRows.step(row)
            steps[key, default: []].append(step)
        }
        return try zip(rows, keys).map { row, key in try PostgresRows.summary(row, steps: steps[key] ?? []) }
    }

    private func binds<T: PostgresDynamicTypeEncodable>(_ value: T) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(value)
        return bindings
    }

    private func binds<T: PostgresDynamicTypeEncodable, U: PostgresDynamicTypeEncodable>(_ a: T, _ b: U) throws -> PostgresBindings {
        var bindings = PostgresBindings()
        bindings.append(a)
        bindings.append(b)
        return bindings
    }

    public func remove(runID: String) async throws -> Bool {
        try await failing("cannot remove run \(runID)") { [self] in
            try await client.query("DELETE FROM runs WHERE run_id = \(runID) RETURNING id", logger: logger).collect().count > 0
        }
    }

    public func removeFinished(finishedBefore: Date?, keepNewest: Int?) async throws -> Int {
        let finished = [RunStatus.completed, .cancelled, .error].map(\.rawValue)
        return try await failing("cannot remove finished runs") { [self] in
            try await client.withConnection { connection in
                try await PostgresTransaction.run(connection, logger: logger) { connection in
                    var total = 0
                    if let cutoff = PostgresRows.milliseconds(finishedBefore) {
                        total += try await connection.query(
                            """
                            DELETE FROM runs WHERE status = ANY(\(finished)) AND coalesce(finished_at_ms, created_at_ms) < \(cutoff)
                            RETURNING id
                            """, logger: logger
                        ).collect().count
                    }
                    if let keepNewest {
                        // Older than the keepNewest-th newest finished run (nothing when there are fewer).
                        total += try await connection.query(
                            """
                            DELETE FROM runs WHERE status = ANY(\(finished)) AND id < (
                                SELECT id FROM runs WHERE status = ANY(\(finished)) ORDER BY id DESC LIMIT 1 OFFSET \(Int64(max(keepNewest, 1) - 1))
                            ) OR (\(keepNewest <= 0) AND status = ANY(\(finished)))
                            RETURNING id
                            """, logger: logger
                        ).collect().count
                    }
                    return total
                }
            }
        }
    }

    /// Inserts a run as an agnod from before hosts were kept did (a database of schema v5), for tests.
    func insertWithoutHost(_ run: RunSummary) async throws {
        try await client.query(
            """
            INSERT INTO runs (run_id, session_id, workflow, status, owner_uid, owner, input, created_at_ms)
            VALUES (\(run.runID), \(run.sessionID), \(run.workflow), \(run.status.rawValue), \(Int64(run.ownerUID)), \(run.owner),
                    \(run.input), \(PostgresRows.milliseconds(run.createdAt)))
            """, logger: logger)
    }
}
