import AgnoCore
import Synchronization

/// Model resolvers replaced by a reload. Runs that started before the reload still use theirs, so they are
/// shut down only when the daemon stops (async-http-client insists on an explicit shutdown).
final class RetiredModels: Sendable {
    private let resolvers = Mutex<[ModelResolver]>([])

    func retire(_ resolver: ModelResolver) {
        resolvers.withLock { $0.append(resolver) }
    }

    func shutdownAll() async {
        let all = resolvers.withLock { r in defer { r = [] }; return r }
        for resolver in all { await resolver.shutdown() }
    }
}
