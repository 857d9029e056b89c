import Logging
import PostgresNIO

/// `BEGIN` … `COMMIT`, or `ROLLBACK` when the body throws; the body's own error comes out as it was thrown
/// (postgres-nio wraps it in a `PostgresTransactionError`).
enum PostgresTransaction {
    static func run<T: Sendable>(
        _ connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        do {
            return try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError, error.rollbackError == nil { throw inner }
            throw error
        }
    }
}
