import Synchronization

/// A request that did not get an answer within `PostgresOutage.answerWithin`.
struct PostgresTimeout: Error {}

/// `body`'s result, or `PostgresTimeout` once `limit` passes. The body is not cancelled then: it goes on in the
/// background and its result is dropped (a postgres-nio query or connection lease is never interrupted
/// halfway, so the pool is never left with a connection in an unknown state).
func within<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let work = Task { try await body() }
    let answer = Once<Result<T, any Error>>()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        answer.set(continuation)
        let timer = Task {
            guard (try? await Task.sleep(for: limit)) != nil else { return }
            answer.resume(.failure(PostgresTimeout()))
        }
        Task {
            let result = await work.result
            timer.cancel()
            answer.resume(result)
        }
    }
}

/// Resumes a continuation once, with whichever result comes first.
private final class Once<R: Sendable>: Sendable {
    private let typed = Mutex<((R) -> Void)?>(nil)

    func set<T>(_ continuation: CheckedContinuation<T, any Error>) where R == Result<T, any Error> {
        typed.withLock { $0 = { result in continuation.resume(with: result) } }
    }

    func resume(_ result: R) {
        let resume = typed.withLock { body -> ((R) -> Void)? in
            defer { body = nil }
            return body
        }
        resume?(result)
    }
}
