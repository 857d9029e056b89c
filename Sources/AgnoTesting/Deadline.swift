import Testing

/// Awaits an event a test expects, but not forever: after `seconds` the test records an issue naming what
/// did not happen and goes on (a missing event must fail the test, not hang the whole run).
@discardableResult
public func awaitEvent(_ what: String, within seconds: Double = 60, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: @escaping @Sendable () async -> Void) async -> Bool {
    let happened = await withTaskGroup(of: Bool.self) { group in
        group.addTask {
            await body()
            return true
        }
        group.addTask {
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return false
        }
        let first = await group.next() ?? false
        group.cancelAll()
        return first
    }
    if !happened { Issue.record("\(what) did not happen within \(seconds) s", sourceLocation: sourceLocation) }
    return happened
}
