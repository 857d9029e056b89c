import AgnoProtocol
import Synchronization

/// What a run that goes on (after a pause was answered, or after agnod restarted) already did, read from the
/// store: the nodes that completed with their outputs, the answers to its pauses, the construct events it
/// already sent, and the attempts its steps had started. The walker replays the tree against it: a completed
/// node returns its output without running or sending anything, an answered pause is not asked again, and
/// an interrupted step starts again with the next attempt.
final class ResumeLedger: Sendable {
    /// True after a restart (events of steps started again say `resumed: true`).
    let restarted: Bool
    let reviews: [Review]
    private let state: Mutex<State>

    private struct State {
        var results: [String: NodeResult]
        var emitted: Set<String>
        var attempts: [String: Int]
    }

    init(restarted: Bool, position: [NodeResult], reviews: [Review]) {
        self.restarted = restarted
        self.reviews = reviews
        var results: [String: NodeResult] = [:]
        for r in position { results[r.path] = r }
        state = Mutex(State(results: results, emitted: [], attempts: [:]))
    }

    /// Reads a page of the run's stored events (before the walk starts): which construct events were sent,
    /// which attempt each step had started.
    func note(_ events: [EncodedEvent]) {
        state.withLock { s in
            for event in events {
                guard let object = try? JSONValue.parse(event.json), let name = object["event"]?.stringValue else { continue }
                let path = object["step_path"]?.stringValue ?? ""
                if name == EventName.stepStarted.rawValue {
                    s.attempts[path] = max(s.attempts[path] ?? 0, object["attempt"]?.intValue ?? 1)
                } else if ResumeLedger.announced.contains(name) {
                    s.emitted.insert(ResumeLedger.key(name, path, object["iteration"]?.intValue))
                }
            }
        }
    }

    /// Events sent at most once per node instance: a replay does not send them again.
    static let announced: Set<String> = Set(
        [
            EventName.workflowStarted, .parallelExecutionStarted, .conditionExecutionStarted, .loopExecutionStarted,
            .loopIterationStarted, .loopIterationCompleted, .routerExecutionStarted, .stepsExecutionStarted,
        ].map(\.rawValue))

    static func key(_ name: String, _ path: String, _ iteration: Int?) -> String { "\(name)|\(path)|\(iteration ?? 0)" }

    /// Whether the event was sent before; the first call for it after a replay says so, later ones do not (a
    /// node run again within this walk, e.g. a retry, sends its events again).
    func alreadySent(_ name: EventName, path: String, iteration: Int?) -> Bool {
        let key = Self.key(name.rawValue, path, iteration)
        return state.withLock { $0.emitted.remove(key) != nil }
    }

    /// The completed node at `path`, once: unless an answer that came after it asked for it to be run again
    /// (an output review rejected with `retry`, on it or on a node around it).
    func takeResult(_ path: String) -> NodeResult? {
        state.withLock { s in
            guard let result = s.results.removeValue(forKey: path) else { return nil }
            let stale = reviews.contains { r in
                r.action == .retry && r.seq > result.seq && (path == r.stepPath || path.hasPrefix(r.stepPath + "/"))
            }
            return stale ? nil : result
        }
    }

    /// Looks at the completed node at `path` without taking it.
    func peekResult(_ path: String) -> NodeResult? { state.withLock { $0.results[path] } }

    /// The attempt the step at `path` had started when the run stopped, once (nil if it had not started).
    func takeStartedAttempt(_ path: String) -> Int? { state.withLock { $0.attempts.removeValue(forKey: path) } }

    /// The latest answer for the node at `path` to a pause of one of `kinds`.
    func review(at path: String, _ kinds: Set<PauseRequirement.Kind>) -> Review? {
        reviews.last { $0.stepPath == path && kinds.contains($0.kind) }
    }
}
