import AgnoProtocol
import Foundation
import Synchronization

/// A run that is not finished: its state, its running task and its live subscribers. Every event goes to the
/// store first and then to subscribers, under one lock, so a subscriber never misses or repeats an event.
public final class RunRecord: Sendable {
    public let runID: String
    public let sessionID: String
    public let workflow: WorkflowDefinition
    public let owner: Caller
    public let input: String
    public let createdAt: Date
    let store: any RunStore

    struct State {
        var status: RunStatus = .pending
        var steps: [StepSummary]
        var content: String?
        var error: String?
        var startedAt: Date?
        var finishedAt: Date?
        var lastSeq = 0
        var subscribers: [Int: Subscription] = [:]
        var nextSubscriber = 0
        var task: Task<Void, Never>?
        var cancelReason: String?
        var storeFailure: String?
    }

    let state: Mutex<State>

    public init(runID: String, sessionID: String, workflow: WorkflowDefinition, owner: Caller, input: String, store: any RunStore, createdAt: Date = Date()) {
        self.runID = runID
        self.sessionID = sessionID
        self.workflow = workflow
        self.owner = owner
        self.input = input
        self.createdAt = createdAt
        self.store = store
        let steps = workflow.stepNames.enumerated().map { StepSummary(name: $1, index: $0) }
        self.state = Mutex(State(steps: steps))
    }

    public var summary: RunSummary { state.withLock { summary(of: $0) } }

    public var status: RunStatus { state.withLock { $0.status } }

    /// The reason given with the first cancel request, once one was made.
    public var cancelReason: String? { state.withLock { $0.cancelReason } }

    func summary(of s: State) -> RunSummary {
        RunSummary(
            runID: runID, sessionID: sessionID, workflow: workflow.name, status: s.status, ownerUID: owner.uid, owner: owner.user,
            input: input, content: s.content, error: s.error, createdAt: createdAt, startedAt: s.startedAt, finishedAt: s.finishedAt,
            lastSeq: s.lastSeq, steps: s.steps)
    }

    /// Stores and publishes one event; returns its seq.
    @discardableResult
    public func emit(_ event: JSONValue) -> Int {
        let json = event.encoded
        return state.withLock { s in publish(json, in: &s) }
    }

    private func publish(_ json: [UInt8], in s: inout State) -> Int {
        let event = EncodedEvent(seq: s.lastSeq + 1, json: json)
        do {
            try store.append(runID: runID, events: [event])
        } catch {
            s.storeFailure = "\(error)"
            return s.lastSeq
        }
        s.lastSeq = event.seq
        for (id, subscription) in s.subscribers where !subscription.offer(event) {
            // The reader left, or fell behind its buffer: it catches up from the store.
            s.subscribers[id] = nil
        }
        return event.seq
    }

    /// Changes the run's state (not its status) and saves the summary.
    public func update(_ change: (inout StepsAndContent) -> Void) {
        state.withLock { s in
            var view = StepsAndContent(steps: s.steps, content: s.content)
            change(&view)
            s.steps = view.steps
            s.content = view.content
            try? store.update(summary(of: s))
        }
    }

    /// The mutable part of a run that the executor fills in.
    public struct StepsAndContent {
        public var steps: [StepSummary]
        public var content: String?
    }

    /// Ends the run: sets the terminal status, emits the final event, saves, and ends every live subscription.
    public func finish(_ status: RunStatus, content: String?, error: String?, finalEvent: JSONValue) {
        let json = finalEvent.encoded
        state.withLock { s in
            guard !s.status.isTerminal else { return }
            s.status = status
            s.content = content
            s.error = error
            s.finishedAt = Date()
            _ = publish(json, in: &s)
            try? store.update(summary(of: s))
            for subscription in s.subscribers.values { subscription.end() }
            s.subscribers.removeAll()
        }
    }

    /// Starts the run's task unless the run was cancelled while it waited. Returns false if it was not started.
    func launch(_ body: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { s in
            guard s.status == .pending else { return false }
            s.status = .running
            s.startedAt = Date()
            try? store.update(summary(of: s))
            s.task = Task { await body() }
            return true
        }
    }

    /// What a cancel request did.
    public enum CancelOutcome: Sendable {
        /// It was PENDING and is now CANCELLED.
        case cancelledPending
        /// It was RUNNING and its task is being cancelled.
        case cancellingRunning
        /// It had already ended with this status.
        case alreadyEnded(RunStatus)
    }

    /// Cancels the run: a PENDING run ends at once with `WorkflowCancelled`; a RUNNING one has its task cancelled.
    func cancel(reason: String) -> CancelOutcome {
        let pendingJSON = RunEvents(record: self).pendingCancelled(reason).encoded
        return state.withLock { s in
            switch s.status {
            case .pending:
                s.cancelReason = reason
                s.status = .cancelled
                s.finishedAt = Date()
                _ = publish(pendingJSON, in: &s)
                try? store.update(summary(of: s))
                for subscription in s.subscribers.values { subscription.end() }
                s.subscribers.removeAll()
                return .cancelledPending
            case .running, .paused:
                if s.cancelReason == nil { s.cancelReason = reason }
                s.task?.cancel()
                return .cancellingRunning
            default:
                return .alreadyEnded(s.status)
            }
        }
    }

    /// What a reader gets next.
    public enum ReadResult: Sendable {
        /// Stored events after the requested seq.
        case events([EncodedEvent])
        /// Caught up with a live run: new events arrive on this subscription, which ends when the run ends or the reader falls behind.
        case live(Subscription)
        /// Caught up with a finished run.
        case ended(RunSummary)
    }

    /// Events after `afterSeq` from the store, or, once caught up, a live subscription with a bounded buffer.
    public func read(afterSeq: Int, limit: Int, bufferSize: Int) -> ReadResult {
        state.withLock { s in
            if afterSeq < s.lastSeq {
                let batch = (try? store.events(runID: runID, afterSeq: afterSeq, limit: limit)) ?? []
                if !batch.isEmpty { return .events(batch) }
            }
            if s.status.isTerminal { return .ended(summary(of: s)) }
            let subscription = Subscription(capacity: bufferSize)
            s.subscribers[s.nextSubscriber] = subscription
            s.nextSubscriber += 1
            return .live(subscription)
        }
    }
}
