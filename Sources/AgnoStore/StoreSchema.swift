import GRDB

/// The store's schema, as migrations. Migrations are only ever added, never changed: a database written by
/// any earlier version opens in a later one (a test loads one made by the first schema, checked in).
enum StoreSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, steps, events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY,
                        run_id TEXT NOT NULL UNIQUE,
                        session_id TEXT NOT NULL,
                        workflow TEXT NOT NULL,
                        status TEXT NOT NULL,
                        owner_uid INTEGER NOT NULL,
                        owner TEXT NOT NULL,
                        input TEXT NOT NULL,
                        content TEXT,
                        error TEXT,
                        created_at_ms INTEGER NOT NULL,
                        started_at_ms INTEGER,
                        finished_at_ms INTEGER
                    );
                    CREATE INDEX runs_by_owner ON runs(owner_uid, id);
                    CREATE INDEX runs_by_status ON runs(status, id);
                    CREATE TABLE steps (
                        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        idx INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        status TEXT NOT NULL,
                        content TEXT,
                        error TEXT,
                        PRIMARY KEY (run, idx)
                    ) WITHOUT ROWID;
                    CREATE TABLE events (
                        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        json BLOB NOT NULL,
                        PRIMARY KEY (run, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: runs.cancelled_by") { db in
            try db.execute(sql: "ALTER TABLE runs ADD COLUMN cancelled_by TEXT")
        }
        migrator.registerMigration("v3: tool_calls") { db in
            // Events carry a tool's result cut to 4 KiB; the whole result the model got is kept here, keyed by
            // the seq of the event that ended the call (stored in the same commit as that event).
            try db.execute(
                sql: """
                    CREATE TABLE tool_calls (
                        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        tool_call_id TEXT NOT NULL,
                        step_index INTEGER NOT NULL,
                        step_name TEXT NOT NULL,
                        agent_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        arguments TEXT NOT NULL,
                        result TEXT,
                        error TEXT,
                        duration_ms REAL NOT NULL,
                        PRIMARY KEY (run, seq)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: step trees, run data, positions") { db in
            // Steps are every node of the tree (path, type, loop iteration, attempt); rows of earlier versions
            // (flat lists of agent steps) read as top-level `Step`s. The position: the nodes of a run that are
            // done, with their outputs and the seq of the event that reports each (same commit); a node run again
            // (a retry of the group around it) replaces its row.
            try db.execute(
                sql: """
                    ALTER TABLE steps ADD COLUMN path TEXT;
                    ALTER TABLE steps ADD COLUMN type TEXT;
                    ALTER TABLE steps ADD COLUMN iteration INTEGER;
                    ALTER TABLE steps ADD COLUMN attempt INTEGER;
                    ALTER TABLE runs ADD COLUMN additional_data TEXT;
                    ALTER TABLE runs ADD COLUMN session_state TEXT;
                    CREATE TABLE node_results (
                        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        path TEXT NOT NULL,
                        idx INTEGER NOT NULL,
                        succeeded INTEGER NOT NULL,
                        output TEXT NOT NULL,
                        PRIMARY KEY (run, path)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v5: pauses and reviews") { db in
            // What a PAUSED run waits for and the answers its pauses got (JSON, as the protocol shows them), and
            // the digest of the workflow file it started on (a run resumes after a restart only on that file).
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN waiting_for TEXT;
                    ALTER TABLE runs ADD COLUMN reviews TEXT;
                    ALTER TABLE runs ADD COLUMN workflow_digest TEXT;
                    """)
        }
        migrator.registerMigration("v6: metrics") { db in
            // Tokens, cost and times of a run's and an agent step's model calls (JSON, as the protocol shows them).
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN metrics TEXT;
                    ALTER TABLE steps ADD COLUMN metrics TEXT;
                    """)
        }
        migrator.registerMigration("v7: several events per row") { db in
            // A run's consecutive events of one commit share a row (`EventRows`): `seq` is the first one's,
            // `last_seq` the last one's; rows of earlier versions (no `last_seq`) hold one event each.
            try db.execute(sql: "ALTER TABLE events ADD COLUMN last_seq INTEGER")
        }
        migrator.registerMigration("v8: events in a rowid table") { db in
            // A WITHOUT ROWID table keeps each row inside its primary key's B-tree, and SQLite compares a key
            // whose row spills onto overflow pages by reading the whole row: a row of a few hundred events
            // (tens of KB) was read in full at every step of every seek (each page a replay reads, each
            // commit's insert). In a rowid table the key (run, seq) lives in its own small index and a row is
            // read once, when it is wanted; `json` goes last so the columns before it never touch overflow.
            try db.execute(
                sql: """
                    CREATE TABLE events_v8 (
                        run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        seq INTEGER NOT NULL,
                        last_seq INTEGER,
                        json BLOB NOT NULL,
                        PRIMARY KEY (run, seq)
                    );
                    INSERT INTO events_v8 (run, seq, last_seq, json) SELECT run, seq, last_seq, json FROM events ORDER BY run, seq;
                    DROP TABLE events;
                    ALTER TABLE events_v8 RENAME TO events;
                    """)
        }
        return migrator
    }
}
