/// A closure kept behind a lock. The struct matters: a bare function type stored in a generic container
/// (`Mutex<(…) -> Void>`) is re-wrapped in a reabstraction thunk on every `withLock { $0 }` round trip, so a
/// closure read once per run grows a chain of thunks that every later call walks (and allocates in its task:
/// 10,000 runs took gigabytes). Inside a struct the closure keeps its own representation. docs/benchmarks.md.
public struct Hook<Body: Sendable>: Sendable {
    public var body: Body?
    public init(body: Body? = nil) { self.body = body }
}
