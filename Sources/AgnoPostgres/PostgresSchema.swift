/// The PostgreSQL store's schema, as migrations named like SQLite's (StoreSchema) and giving the same tables.
/// Migrations are only ever added, never changed: a database of any earlier version opens in a later one.
enum PostgresSchema {
    static let migrations: [PostgresMigration] = [
        PostgresMigration(
            name: "v1: runs, steps, events",
            statements: [
                """
                CREATE TABLE runs (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    run_id TEXT NOT NULL UNIQUE,
                    session_id TEXT NOT NULL,
                    workflow TEXT NOT NULL,
                    status TEXT NOT NULL,
                    owner_uid BIGINT NOT NULL,
                    owner TEXT NOT NULL,
                    input TEXT NOT NULL,
                    content TEXT,
                    error TEXT,
                    created_at_ms BIGINT NOT NULL,
                    started_at_ms BIGINT,
                    finished_at_ms BIGINT
                )
                """,
                "CREATE INDEX runs_by_owner ON runs(owner_uid, id)",
                "CREATE INDEX runs_by_status ON runs(status, id)",
                """
                CREATE TABLE steps (
                    run BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    idx BIGINT NOT NULL,
                    name TEXT NOT NULL,
                    status TEXT NOT NULL,
                    content TEXT,
                    error TEXT,
                    PRIMARY KEY (run, idx)
                )
                """,
                """
                CREATE TABLE events (
                    run BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq BIGINT NOT NULL,
                    json BYTEA NOT NULL,
                    PRIMARY KEY (run, seq)
                )
                """,
            ]),
        PostgresMigration(name: "v2: runs.cancelled_by", statements: ["ALTER TABLE runs ADD COLUMN cancelled_by TEXT"]),
        PostgresMigration(
            name: "v3: tool_calls",
            statements: [
                """
                CREATE TABLE tool_calls (
                    run BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq BIGINT NOT NULL,
                    tool_call_id TEXT NOT NULL,
                    step_index BIGINT NOT NULL,
                    step_name TEXT NOT NULL,
                    agent_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    arguments TEXT NOT NULL,
                    result TEXT,
                    error TEXT,
                    duration_ms DOUBLE PRECISION NOT NULL,
                    PRIMARY KEY (run, seq)
                )
                """
            ]),
        PostgresMigration(
            name: "v4: step trees, run data, positions",
            statements: [
                "ALTER TABLE steps ADD COLUMN path TEXT, ADD COLUMN type TEXT, ADD COLUMN iteration BIGINT, ADD COLUMN attempt BIGINT",
                "ALTER TABLE runs ADD COLUMN additional_data TEXT, ADD COLUMN session_state TEXT",
                """
                CREATE TABLE node_results (
                    run BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                    seq BIGINT NOT NULL,
                    path TEXT NOT NULL,
                    idx BIGINT NOT NULL,
                    succeeded BOOLEAN NOT NULL,
                    output TEXT NOT NULL,
                    PRIMARY KEY (run, path)
                )
                """,
            ]),
        PostgresMigration(
            name: "v5: pauses and reviews",
            statements: ["ALTER TABLE runs ADD COLUMN waiting_for TEXT, ADD COLUMN reviews TEXT, ADD COLUMN workflow_digest TEXT"]),
        PostgresMigration(
            name: "v6: hosts, leases, cancel requests",
            statements: [
                // The host that executes the run (or last did), and a cancel asked for on another host.
                "ALTER TABLE runs ADD COLUMN host TEXT, ADD COLUMN cancel_requested TEXT, ADD COLUMN cancel_requested_by TEXT",
                "CREATE INDEX runs_unfinished_by_host ON runs(host) WHERE status IN ('PENDING', 'RUNNING')",
                // Each live host's lease: renewed by its heartbeat, taken over by another host when it expires.
                """
                CREATE TABLE hosts (
                    host_id TEXT PRIMARY KEY,
                    started_at_ms BIGINT NOT NULL,
                    heartbeat_at_ms BIGINT NOT NULL,
                    lease_ms BIGINT NOT NULL
                )
                """,
            ]),
        PostgresMigration(
            name: "v7: per-user slots across hosts",
            statements: [
                // Whether the run holds one of its owner's active_runs_per_user slots (counted while PENDING or RUNNING).
                "ALTER TABLE runs ADD COLUMN slot BOOLEAN NOT NULL DEFAULT false",
                "CREATE INDEX runs_holding_slots ON runs(owner_uid) WHERE slot AND status IN ('PENDING', 'RUNNING')",
            ]),
        PostgresMigration(
            name: "v8: metrics",
            statements: [
                // Tokens, cost and times of a run's and an agent step's model calls (JSON, as the protocol shows them).
                "ALTER TABLE runs ADD COLUMN metrics TEXT", "ALTER TABLE steps ADD COLUMN metrics TEXT",
            ]),
    ]
}
