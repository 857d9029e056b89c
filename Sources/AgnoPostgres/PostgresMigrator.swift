import Foundation
import Logging
import PostgresNIO

/// Applies the migrations a database lacks, in order, in one transaction under an advisory lock (two agnods
/// starting at once migrate one after the other). A database with a migration this agnod does not know (a
/// newer agnod's) is refused with its name instead of being misread.
enum PostgresMigrator {
    /// Any constant: the key of the advisory lock that serializes migrations.
    static let lockKey: Int64 = 0x6167_6e6f_6473_746f

    static func migrate(
        _ connection: PostgresConnection, migrations: [PostgresMigration], location: String, logger: Logger
    ) async throws {
        try await PostgresTransaction.run(connection, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at_ms BIGINT NOT NULL)",
                logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            let unknown = applied.subtracting(migrations.map(\.name))
            guard unknown.isEmpty else {
                throw PostgresStoreError(
                    location: location,
                    reason:
                        "it was written by a newer agnod (unknown migrations: \(unknown.sorted().joined(separator: ", "))); refusing to open it"
                )
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name, applied_at_ms) VALUES (\(migration.name), \(now))", logger: logger)
            }
        }
    }
}
