import Foundation

/// Where the PostgreSQL run store is: `postgres://USER@HOST:PORT/DATABASE`, and the password, which never
/// comes from the URL (it is read from a systemd credential or the environment) and is never printed.
public struct PostgresStoreConfiguration: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var database: String
    /// Kept out of `description`, errors and logs.
    public var password: String?
    /// How long connecting to the server may take before the store gives up.
    public var connectTimeout: Duration = .seconds(10)
    /// This host's name among those sharing the database (`store.host_id`; the machine's host name by default).
    public var hostID: String = ProcessInfo.processInfo.hostName
    /// How long a host's lease lasts without a heartbeat before another host ends (takes over) its runs.
    public var lease: Duration = .seconds(10)
    /// How long a write may keep failing because the server is unreachable before the runs writing stop.
    public var retryFor: Duration = .seconds(60)

    public init(host: String, port: Int = 5432, username: String, database: String, password: String?) {
        self.host = host
        self.port = port
        self.username = username
        self.database = database
        self.password = password
    }

    /// Parses `postgres://USER@HOST[:PORT]/DATABASE` (also `postgresql://`). A password in the URL is refused:
    /// the URL is configuration, shown in logs and `agnoctl` diagnostics.
    public init(url: String, password: String?) throws(PostgresURLError) {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            ["postgres", "postgresql"].contains(scheme.lowercased())
        else {
            throw PostgresURLError("must look like postgres://USER@HOST:PORT/DATABASE")
        }
        guard components.password == nil else {
            throw PostgresURLError("must not hold a password: put it in a systemd credential and name it in 'store.password_credential'")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PostgresURLError("names no user (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PostgresURLError("names no host (postgres://USER@HOST:PORT/DATABASE)")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresURLError("names no database (postgres://USER@HOST:PORT/DATABASE)")
        }
        guard components.query == nil, components.fragment == nil else {
            throw PostgresURLError("must not have a query or fragment (postgres://USER@HOST:PORT/DATABASE)")
        }
        if let port = components.port, !(1...65535).contains(port) { throw PostgresURLError("has an invalid port \(port)") }
        self.init(
            host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
            database: database.removingPercentEncoding ?? database, password: password)
    }

    /// `lease` in milliseconds, as the `hosts` table and the logs have it.
    public var leaseMilliseconds: Int64 { lease.components.seconds * 1000 + lease.components.attoseconds / 1_000_000_000_000_000 }

    /// Set on every connection (`pg_stat_activity` shows which host a connection is).
    var sessionSettings: [(String, String)] { [("application_name", "agnod \(hostID)")] }

    /// `HOST:PORT`, as errors name the server.
    public var address: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// `USER@HOST:PORT/DATABASE`: no password, whether there is one or not.
    public var description: String { "postgres://\(username)@\(address)/\(database)" }
}

/// Why a `store.url` was refused.
public struct PostgresURLError: Error, CustomStringConvertible, Sendable, Equatable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
