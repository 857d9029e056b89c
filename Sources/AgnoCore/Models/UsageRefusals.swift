import Synchronization

/// The providers whose server refused `stream_options` once: their requests no longer ask for usage (until
/// agnod restarts), so each refusal costs one extra request, not one per call.
final class UsageRefusals: Sendable {
    static let shared = UsageRefusals()
    private let refused = Mutex<Set<String>>([])

    func refuses(_ provider: ProviderConfig) -> Bool { refused.withLock { $0.contains(Self.key(provider)) } }

    func note(_ provider: ProviderConfig) { _ = refused.withLock { $0.insert(Self.key(provider)) } }

    private static func key(_ provider: ProviderConfig) -> String { provider.name + " " + provider.baseURL }
}
