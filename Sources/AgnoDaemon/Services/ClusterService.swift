import AgnoPostgres
import ServiceLifecycle

/// With a shared PostgreSQL store: this host's lease, its LISTEN connection and the reaping of dead hosts'
/// runs. Stopped after the runs are drained (a cancel from another host still arrives during the grace) and
/// before the store; the lease itself is given back when the store closes.
struct ClusterService: Service {
    let cluster: PostgresCluster?

    func run() async throws {
        guard let cluster else {
            try? await gracefulShutdown()
            return
        }
        let running = Task { await cluster.run() }
        try? await gracefulShutdown()
        running.cancel()
        await running.value
    }
}
