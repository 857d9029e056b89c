import AgnoProtocol
import Foundation
import Synchronization

/// A run that is not settled: its state, its running task and its live subscribers. Every event gets its
/// `seq` under the run's lock and goes to the store writer; subscribers receive it only once it is committed
/// (write, then publish), so no client ever sees an event that a crash could lose, and, because publishing
/// happens under the same lock that readers subscribe under, no reader misses or repeats one.
public final class RunRecord: Sendable {
    public let runID: String
    public let sessionID: String
    public let workflow: WorkflowDefinition
    public let owner: Caller
    public let input: String
    /// The start request's `additional_data` and `session_state` (objects; empty when not given).
    public let additionalData: JSONValue?
    public let sessionState: JSONValue?
    public let createdAt: Date
    let writer: StoreWriter
    /// What the run did before, when it goes on after a pause or a restart (nil for a new run).
    let ledger: ResumeLedger?

    struct State {
        var status: RunStatus = .pending
        var steps: [StepSummary]
        var content: String?
        var error: String?
        var startedAt: Date?
        var finishedAt: Date?
        /// The last seq handed out.
        var lastSeq = 0
        /// Streamed events not yet handed to the writer (`emitStreamed`).
        var streamed: [EncodedEvent] = []
        /// The last seq stored, and so published.
        var committedSeq = 0
        /// Terminal, and its final event is stored: readers get `end`.
        var settled = false
        var launched = false
        var subscribers: [Int: Subscription] = [:]
        var nextSubscriber = 0
        var task: Task<Void, Never>?
        var cancelReason: String?
        var cancelledBy: String?
        /// When the first cancel request reached the run (its cancel latency ends when the run's end is stored).
        var cancelRequestedAt: ContinuousClock.Instant?
        var storeFailure: String?
        var onSettled: (@Sendable (RunRecord) -> Void)?
        var waitingFor: PauseRequirement?
        var reviews: [Review] = []
        /// The tokens and cost of every model call the run made (nil before the first).
        var metrics: RunMetrics?
        /// Whether the run still makes events: not ended, and not PAUSED (a paused run's final event is sent).
        var takesEvents: Bool { !status.isTerminal && status != .paused }
        /// Producers waiting for the store to catch up with this run (backpressure).
        var roomWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextRoomWaiter = 0
    }

    let state: Mutex<State>

    public convenience init(
        runID: String, sessionID: String, workflow: WorkflowDefinition, owner: Caller, input: String, writer: StoreWriter,
        createdAt: Date = Date(),
        additionalData: JSONValue? = nil, sessionState: JSONValue? = nil
    ) {
        self.init(
            runID: runID, sessionID: sessionID, workflow: workflow, owner: owner, input: input, writer: writer, createdAt: createdAt,
            additionalData: additionalData, sessionState: sessionState, ledger: nil)
    }

    init(
        runID: String, sessionID: String, workflow: WorkflowDefinition, owner: Caller, input: String, writer: StoreWriter,
        createdAt: Date, additionalData: JSONValue?, sessionState: JSONValue?, ledger: ResumeLedger?
    ) {
        self.ledger = ledger
        self.runID = runID
        self.sessionID = sessionID
        self.workflow = workflow
        self.owner = owner
        self.input = input
        self.additionalData = additionalData
        self.sessionState = sessionState
        self.createdAt = createdAt
        self.writer = writer
        let steps = workflow.nodes.map { StepSummary(name: $0.name, index: $0.index, path: $0.path, type: $0.typeName) }
        self.state = Mutex(State(steps: steps))
    }

    var store: any RunStore { writer.store }

    public var summary: RunSummary { state.withLock { summary(of: $0) } }

    public var status: RunStatus { state.withLock { $0.status } }

    /// The reason given with the first cancel request, once one was made.
    public var cancelReason: String? { state.withLock { $0.cancelReason } }

    /// When the first cancel request reached this run, if one did.
    public var cancelRequestedAt: ContinuousClock.Instant? { state.withLock { $0.cancelRequestedAt } }

    /// Why the store refused this run's events, if it did.
    public var storeFailure: String? { state.withLock { $0.storeFailure } }

    func summary(of s: State) -> RunSummary {
        RunSummary(
            runID: runID, sessionID: sessionID, workflow: workflow.name, status: s.status, ownerUID: owner.uid, owner: owner.user,
            input: input, content: s.content, error: s.error, createdAt: createdAt, startedAt: s.startedAt, finishedAt: s.finishedAt,
            lastSeq: s.committedSeq, steps: s.steps, cancelledBy: s.status == .cancelled ? s.cancelledBy : nil,
            additionalData: additionalData, sessionState: sessionState, waitingFor: s.waitingFor, reviews: s.reviews,
            workflowDigest: workflow.digest, metrics: metrics(of: s, until: s.finishedAt))
    }

    /// The run's metrics with its duration: from its start to `end` (nil: not ended, no duration).
    func metrics(of s: State, until end: Date?) -> RunMetrics? {
        guard var metrics = s.metrics else { return nil }
        if let end, let start = s.startedAt { metrics.duration = max(0, end.timeIntervalSince(start)) }
        return metrics
    }

    /// The run's metrics as its final event reports them: what it used, from its start until `end`.
    public func metrics(endingAt end: Date) -> RunMetrics? { state.withLock { metrics(of: $0, until: end) } }

    /// A run that goes on from its stored state (after a pause was answered, or after a restart): PENDING,
    /// with its steps, content, reviews and seq as stored; `ledger` holds what it did.
    convenience init(revived run: RunSummary, workflow: WorkflowDefinition, writer: StoreWriter, ledger: ResumeLedger) {
        self.init(
            runID: run.runID, sessionID: run.sessionID, workflow: workflow,
            owner: Caller(uid: run.ownerUID, user: run.owner, isAdmin: false), input: run.input, writer: writer,
            createdAt: run.createdAt, additionalData: run.additionalData, sessionState: run.sessionState, ledger: ledger)
        state.withLock { s in
            if run.steps.count == s.steps.count || s.steps.isEmpty { s.steps = run.steps }
            s.content = run.content
            s.startedAt = run.startedAt
            s.lastSeq = run.lastSeq
            s.committedSeq = run.lastSeq
            s.reviews = run.reviews
            s.metrics = run.metrics
            s.waitingFor = nil
        }
    }

    public var reviews: [Review] { state.withLock { $0.reviews } }

    /// Pauses the run: PAUSED, waiting for `requirement`; the final event (`WorkflowPaused`) is stored with
    /// the summary, and then readers get `end` and the run leaves the live table (it holds no slot and no task).
    func pause(_ requirement: PauseRequirement, content: String?, finalEvent: JSONValue) {
        let json = finalEvent.encoded
        state.withLock { s in
            guard s.status == .running else { return }
            s.status = .paused
            s.waitingFor = requirement
            if let content { s.content = content }
            terminate(json, in: &s)
        }
    }

    /// Records the answer to the pause: `StepContinued` and the summary with the review, in one commit;
    /// returns once that is stored (or throws what the store said).
    func answer(_ review: Review, event: JSONValue) async throws {
        let json = event.encoded
        let failure: (any Error)? = await withCheckedContinuation { continuation in
            state.withLock { s in
                submitStreamed(in: &s)
                var review = review
                review.seq = s.lastSeq + 1
                s.reviews.append(review)
                for i in s.steps.indices where s.steps[i].status == .paused { s.steps[i].status = .pending }
                s.lastSeq += 1
                let encoded = EncodedEvent(seq: s.lastSeq, json: json)
                var stored = summary(of: s)
                stored.lastSeq = s.lastSeq
                writer.submit(runID: runID, events: [encoded], summary: stored) { [self] failure in
                    committed([encoded], failure: failure, settling: false)
                    continuation.resume(returning: failure)
                }
            }
        }
        if let failure { throw failure }
    }

    /// Called (on the store writer's thread) once the run is settled; the run table frees its slot there.
    func onSettled(_ body: @escaping @Sendable (RunRecord) -> Void) {
        state.withLock { $0.onSettled = body }
    }

    /// Changes the run's state (not its status) and queues the summary for storing.
    public func update(_ change: (inout StepsAndContent) -> Void) {
        state.withLock { s in
            var view = StepsAndContent(steps: s.steps, content: s.content, metrics: s.metrics)
            change(&view)
            s.steps = view.steps
            s.content = view.content
            s.metrics = view.metrics
            submitStreamed(in: &s)
            writer.submit(runID: runID, events: [], summary: summary(of: s))
        }
    }

    /// The mutable part of a run that the executor fills in.
    public struct StepsAndContent {
        public var steps: [StepSummary]
        public var content: String?
        /// The run's metrics: a step adds its model calls' here as it ends.
        public var metrics: RunMetrics?

        /// Adds an agent step's metrics (one attempt, or one loop iteration) to its summary entry, which so
        /// counts every attempt and iteration of the node (its duration: the latest's), and to the run's.
        public mutating func record(_ stepMetrics: RunMetrics?, step index: Int) {
            guard let stepMetrics else { return }
            var step = steps[index].metrics ?? RunMetrics()
            step.add(stepMetrics)
            step.duration = stepMetrics.duration
            steps[index].metrics = step
            var run = metrics ?? RunMetrics()
            run.add(stepMetrics)
            metrics = run
        }
    }

    /// Ends the run: sets the terminal status and stores the final event with the summary in one commit;
    /// once that is stored, live subscriptions get the event and end.
    public func finish(_ status: RunStatus, content: String?, error: String?, finalEvent: JSONValue, at end: Date = Date()) {
        let json = finalEvent.encoded
        state.withLock { s in
            guard s.takesEvents else { return }
            s.status = status
            s.content = content
            s.error = error
            s.finishedAt = end
            terminate(json, in: &s)
        }
    }

    func terminate(_ json: [UInt8], in s: inout State) {
        var final = summary(of: s)
        final.lastSeq = s.lastSeq + 1
        _ = enqueue(json, summary: final, settling: true, in: &s)
    }

    /// Starts the run's task unless the run was cancelled while it waited. Returns false if it was not started.
    func launch(_ body: @escaping @Sendable () async -> Void) -> Bool {
        state.withLock { s in
            guard s.status == .pending else { return false }
            s.status = .running
            s.startedAt = s.startedAt ?? Date()
            s.launched = true
            writer.submit(runID: runID, events: [], summary: summary(of: s))
            s.task = Task { await body() }
            return true
        }
    }

    var wasLaunched: Bool { state.withLock { $0.launched } }

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
    func cancel(reason: String, by who: String) -> CancelOutcome {
        let pendingJSON = RunEvents(record: self).pendingCancelled(reason).encoded
        return state.withLock { s in
            switch s.status {
            case .pending:
                for i in s.steps.indices where s.steps[i].status == .paused { s.steps[i].status = .cancelled }
                s.cancelReason = reason
                s.cancelledBy = who
                s.cancelRequestedAt = .now
                s.status = .cancelled
                s.finishedAt = Date()
                terminate(pendingJSON, in: &s)
                return .cancelledPending
            case .running, .paused:
                if s.cancelReason == nil {
                    s.cancelReason = reason
                    s.cancelledBy = who
                    s.cancelRequestedAt = .now
                }
                s.task?.cancel()
                return .cancellingRunning
            default:
                return .alreadyEnded(s.status)
            }
        }
    }

    /// Waits for the run's task (if it was started) to return.
    func waitForTask() async {
        let task = state.withLock { $0.task }
        await task?.value
    }

}
