import AgnoCore
import AgnoProtocol
import Logging
import PostgresNIO

/// What a commit writes, in the caller's transaction: each run's events, tool calls, position and summary,
/// one statement per run and table (arrays, `unnest`, JSON record sets), so a large batch costs few round trips.
/// Rows of a run that no longer exists are dropped: every statement finds its run by `run_id`.
enum PostgresRunWriter {
    static func write(_ batch: StoreBatch, host: String, _ connection: PostgresConnection, logger: Logger) async throws {
        try await fence(batch, host: host, connection, logger: logger)
        for (runID, events) in batch.events.sorted(by: { $0.key < $1.key }) {
            let seqs = events.map { Int64($0.seq) }
            let jsons = events.map { ByteBuffer(bytes: $0.json) }
            try await connection.query(
                """
                INSERT INTO events (run, seq, json)
                SELECT r.id, u.seq, u.json FROM runs r, unnest(\(seqs)::bigint[], \(jsons)::bytea[]) AS u(seq, json)
                WHERE r.run_id = \(runID)
                ON CONFLICT (run, seq) DO NOTHING
                """, logger: logger)
        }
        for (runID, calls) in batch.toolCalls.sorted(by: { $0.key < $1.key }) {
            for call in calls {
                try await connection.query(
                    """
                    INSERT INTO tool_calls (run, seq, tool_call_id, step_index, step_name, agent_id, name, arguments, result, error, duration_ms)
                    SELECT id, \(Int64(call.seq)), \(call.toolCallID), \(Int64(call.stepIndex)), \(call.stepName), \(call.agentID),
                           \(call.name), \(call.arguments.encodedString), \(call.result), \(call.error), \(call.durationMS)
                    FROM runs WHERE run_id = \(runID)
                    ON CONFLICT (run, seq) DO NOTHING
                    """, logger: logger)
            }
        }
        for (runID, results) in batch.nodeResults.sorted(by: { $0.key < $1.key }) {
            // A node done again in the same batch: its last result stands (as SQLite's INSERT OR REPLACE).
            var last: [String: NodeResult] = [:]
            var order: [String] = []
            for r in results {
                if last.updateValue(r, forKey: r.path) == nil { order.append(r.path) }
            }
            let rows = order.map { last[$0]! }
            try await connection.query(
                """
                INSERT INTO node_results (run, seq, path, idx, succeeded, output)
                SELECT r.id, u.seq, u.path, u.idx, u.succeeded, u.output FROM runs r,
                       unnest(\(rows.map { Int64($0.seq) })::bigint[], \(rows.map(\.path))::text[], \(rows.map { Int64($0.index) })::bigint[],
                              \(rows.map(\.succeeded))::boolean[], \(rows.map(\.output))::text[]) AS u(seq, path, idx, succeeded, output)
                WHERE r.run_id = \(runID)
                ON CONFLICT (run, path) DO UPDATE SET seq = excluded.seq, idx = excluded.idx, succeeded = excluded.succeeded,
                                                      output = excluded.output
                """, logger: logger)
        }
        for run in batch.runs.values.sorted(by: { $0.runID < $1.runID }) {
            // A later commit stored events beyond this batch's (this one was given up and landed late): the run's
            // row already says more than this summary does, and is not set back.
            let horizon = max(run.lastSeq, batch.events[run.runID]?.map(\.seq).max() ?? 0)
            let rows = try await connection.query(
                """
                UPDATE runs SET status = \(run.status.rawValue), content = \(run.content), error = \(run.error),
                                started_at_ms = \(PostgresRows.milliseconds(run.startedAt)),
                                finished_at_ms = \(PostgresRows.milliseconds(run.finishedAt)), cancelled_by = \(run.cancelledBy),
                                waiting_for = \(run.waitingFor?.json.encodedString),
                                reviews = \(run.reviews.isEmpty ? nil : JSONValue.array(run.reviews.map(\.json)).encodedString),
                                metrics = \(run.metrics?.json.encodedString),
                                host = \(host)
                WHERE run_id = \(run.runID)
                  AND NOT EXISTS (SELECT 1 FROM events e WHERE e.run = runs.id AND e.seq > \(Int64(horizon)))
                RETURNING id
                """, logger: logger)
            for try await key in rows.decode(Int64.self) {
                try await saveSteps(connection, key: key, run.steps, logger: logger)
            }
        }
        // Readers on other hosts wake up and read these runs' new events (sent when the transaction commits).
        var payloads = PostgresNotice.eventPayloads(batch.events.keys.sorted())
        // A run that ended or paused gave its owner's slot back: hosts with runs waiting for one try again.
        if batch.runs.values.contains(where: { $0.status.isTerminal || $0.status == .paused }) {
            payloads.append(PostgresNotice.slotsPayload)
        }
        for payload in payloads {
            try await connection.query("SELECT pg_notify(\(PostgresNotice.channel), \(payload))", logger: logger)
        }
    }

    /// Refuses the whole commit when another host has taken one of its runs (this host's lease expired while it
    /// still ran them): its writes must not land after the other host's. The rows stay locked `FOR SHARE`
    /// until the commit, so a host taking them over waits for it and sees everything it wrote.
    static func fence(_ batch: StoreBatch, host: String, _ connection: PostgresConnection, logger: Logger) async throws {
        let ids = batch.runIDs.sorted()
        guard !ids.isEmpty else { return }
        // Every row of the batch's runs is locked (a filter on `host` here would lock only the foreign ones).
        let rows = try await connection.query(
            "SELECT run_id, coalesce(host, '') FROM runs WHERE run_id = ANY(\(ids)) FOR SHARE", logger: logger)
        var taken: [String] = []
        var by = ""
        for try await (runID, other) in rows.decode((String, String).self) where other != host {
            taken.append(runID)
            by = other
        }
        guard taken.isEmpty else { throw PostgresTakenOver(runIDs: taken, host: by) }
    }

    /// Writes a run's steps (a row per index, replaced when it exists), in one statement.
    static func saveSteps(_ connection: PostgresConnection, key: Int64, _ steps: [StepSummary], logger: Logger) async throws {
        guard !steps.isEmpty else { return }
        // One row per index (a repeated index: the last one stands, as with SQLite's INSERT OR REPLACE).
        var byIndex: [Int: StepSummary] = [:]
        for step in steps { byIndex[step.index] = step }
        let records = JSONValue.array(
            byIndex.keys.sorted().map { byIndex[$0]! }.map { s in
                .object([
                    ("idx", .int(s.index)), ("name", .string(s.name)), ("status", .string(s.status.rawValue)),
                    ("content", s.content.map(JSONValue.string) ?? .null), ("error", s.error.map(JSONValue.string) ?? .null),
                    ("path", .string(s.path)), ("type", .string(s.type)), ("iteration", s.iteration.map(JSONValue.int) ?? .null),
                    ("attempt", s.attempt.map(JSONValue.int) ?? .null),
                    ("metrics", s.metrics.map { .string($0.json.encodedString) } ?? .null),
                ])
            })
        try await connection.query(
            """
            INSERT INTO steps (run, idx, name, status, content, error, path, type, iteration, attempt, metrics)
            SELECT \(key), s.idx, s.name, s.status, s.content, s.error, s.path, s.type, s.iteration, s.attempt, s.metrics
            FROM jsonb_to_recordset(\(records.encodedString)::jsonb) AS s(idx bigint, name text, status text, content text,
                 error text, path text, type text, iteration bigint, attempt bigint, metrics text)
            ON CONFLICT (run, idx) DO UPDATE SET name = excluded.name, status = excluded.status, content = excluded.content,
                error = excluded.error, path = excluded.path, type = excluded.type, iteration = excluded.iteration, attempt = excluded.attempt,
                metrics = excluded.metrics
            """, logger: logger)
    }
}
