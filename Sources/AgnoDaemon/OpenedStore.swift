import AgnoCore
import AgnoPostgres
import AgnoStore
import Logging

/// The run store the configuration names, open: SQLite in `state_dir` (one host), or PostgreSQL shared by
/// several hosts, with the cluster link that carries cancels and new-event hints between them.
struct OpenedStore: Sendable {
    let store: any RunStore
    /// SQLite's WAL checkpoints (nil for PostgreSQL).
    let checkpointer: StoreCheckpointer?
    /// This host among those sharing a PostgreSQL store (nil for SQLite).
    let cluster: PostgresCluster?
    /// What the "store opened" log says.
    let metadata: Logger.Metadata

    /// Opens the store; for PostgreSQL also takes this host's lease, before start-up reads its unfinished runs.
    static func open(_ config: DaemonConfig, logger: Logger) async throws -> OpenedStore {
        guard var postgres = config.postgres else {
            let store = try SQLiteRunStore(
                stateDir: config.stateDir, durability: config.durability, pageCacheBytes: config.pageCacheMB << 20)
            return OpenedStore(
                store: store, checkpointer: store.startCheckpointing(), cluster: nil,
                metadata: ["backend": "sqlite", "path": "\(store.path)", "durability": "\(config.durability.rawValue)"])
        }
        postgres.password = try config.storePassword.read("the store's password ('store.password_credential' or 'store.password_env')")
        let store = try await PostgresRunStore.open(postgres)
        let cluster = PostgresCluster(store: store, logger: logger)
        do {
            try await cluster.register()
        } catch {
            await store.close()
            throw error
        }
        return OpenedStore(
            store: store, checkpointer: nil, cluster: cluster,
            metadata: [
                "backend": "postgres", "url": "\(postgres)", "host_id": "\(postgres.hostID)",
                "lease_ms": "\(postgres.leaseMilliseconds)",
            ])
    }

    /// Closes what `open` opened, after the store writer stopped.
    func close() async {
        checkpointer?.stop()
        if let cluster {
            await cluster.deregister()
            await cluster.store.close()
        }
    }
}
