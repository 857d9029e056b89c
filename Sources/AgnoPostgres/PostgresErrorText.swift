import PostgresNIO

/// What went wrong, in words, from postgres-nio's errors. `PSQLError`'s own description hides everything (to
/// keep query binds out of logs); this keeps the server's message, its SQLSTATE and the network cause, and
/// never a query's binds or the configuration (so never the password).
enum PostgresErrorText {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as PostgresStoreError:
            return error.reason
        case let error as PSQLError:
            if let info = error.serverInfo, let message = info[.message] {
                let state = info[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                let detail = info[.detail].map { ": \($0)" } ?? ""
                return message + detail + state
            }
            if let underlying = error.underlying { return "\(error.code): \(describe(underlying))" }
            return "\(error.code)"
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.commitError ?? error.beginError { return describe(inner) }
            if let rollback = error.rollbackError { return "rollback failed: \(describe(rollback))" }
            return "the transaction failed"
        case let error as PostgresDecodingError:
            return "cannot read column '\(error.columnName)' (\(error.code))"
        default:
            return "\(error)"
        }
    }

    /// Whether the server could not be reached (a lost connection, a refused connect, a closed pool),
    /// rather than answered with an error: only then is a write tried again.
    static func isUnreachable(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresStoreError: return error.unreachable
        case let error as PSQLError: return error.serverInfo == nil
        case let error as PostgresTransactionError:
            guard let inner = error.closureError ?? error.commitError ?? error.beginError else { return false }
            return isUnreachable(inner)
        case is PostgresDecodingError, is PostgresTakenOver: return false
        default: return true  // the pool's and NIO's own errors: connection trouble
        }
    }
}
