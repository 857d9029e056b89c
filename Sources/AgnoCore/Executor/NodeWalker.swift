import AgnoProtocol
import Foundation

/// The recursive executor: runs one node of the step tree (and so everything under it) in the calling
/// task and returns how it ended. Retries, per-attempt timeouts and `on_error` apply the same way to every
/// kind of node; what a kind does is in its own file (`NodeWalker+Parallel.swift`, …), so a new construct
/// is one new case of `execute`. A class: `self` in each level's frame is one reference.
final class NodeWalker: Sendable {
    let environment: ExecutionEnvironment
    let record: RunRecord
    let events: RunEvents
    let budget: ToolBudget
    let progress: RunProgress
    /// What the run did before, when it goes on after a pause or a restart.
    let ledger: ResumeLedger?

    init(
        environment: ExecutionEnvironment, record: RunRecord, events: RunEvents, budget: ToolBudget, progress: RunProgress,
        ledger: ResumeLedger?
    ) {
        self.environment = environment
        self.record = record
        self.events = events
        self.budget = budget
        self.progress = progress
        self.ledger = ledger
    }

    /// Runs `node` on `input` (the previous step's output): its review before, every attempt, then its
    /// `on_error` and its review after. A node the run completed before (it goes on after a pause or a
    /// restart) returns its stored output at once.
    ///
    /// Only the attempts await; what comes before and after is in synchronous functions of their own, so the
    /// task-allocator frame this function keeps for as long as the node runs holds little (a run keeps one
    /// per level of its tree).
    @inline(never)
    func walk(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        let start = begin(node, input: input, scope: scope)
        let (scope, path, earlier): (WalkScope, String, Int)
        switch start {
        case .ended(let outcome): return outcome
        case .attempts(let s, let p, let e): (scope, path, earlier) = (s, p, e)
        }
        var outcome = StepOutcome.failed("step '\(node.name)' did not run")
        let attempts = node.options.maxRetries + 1
        for attempt in 1...attempts {
            let attemptScope = Self.attemptScope(scope, node, attempt: attempt, earlier: earlier, restarted: ledger?.restarted == true)
            outcome = await RunSpans.step(node, path: path, attempt: attemptScope.attempt, runID: record.runID) {
                await timed(node, input: input, scope: attemptScope)
            }
            guard case .failed = outcome, attempt < attempts, !Task.isCancelled else { break }
        }
        return end(node, outcome, input: input, scope: scope, path: path)
    }

    /// How `walk` goes on: with the node's attempts, or not at all.
    enum Start {
        case ended(StepOutcome)
        /// `scope` with the review's answer; `earlier`: attempts the run had made before it stopped.
        case attempts(WalkScope, path: String, earlier: Int)
    }

    /// Before the attempts: the review before the node, a result stored before a pause or a restart.
    @inline(never)
    func begin(_ node: StepNode, input: String, scope: WalkScope) -> Start {
        var scope = scope
        let path = scope.place(of: node).path
        if let review = node.options.humanReview, review.asksBefore, node.typeName != "Loop" {
            switch reviewBefore(node, review, path: path, input: input, scope: scope) {
            case .proceed(let answer): scope.answer = answer
            case .skip: return .ended(skipped(node, input: input, scope: scope))
            case .ended(let outcome): return .ended(outcome)
            }
        }
        if let result = ledger?.takeResult(path) {
            if let review = node.options.humanReview, review.requiresOutputReview {
                return .ended(reviewedBefore(node, review, result, input: input, scope: scope))
            }
            return .ended(completed(node, .completed(result.output, succeeded: result.succeeded), scope))
        }
        // A step the run had started before it stopped starts again with the next attempt.
        return .attempts(scope, path: path, earlier: ledger?.takeStartedAttempt(path) ?? 0)
    }

    /// The scope of one attempt: numbered when the node retries or was attempted before.
    @inline(never)
    static func attemptScope(_ scope: WalkScope, _ node: StepNode, attempt: Int, earlier: Int, restarted: Bool) -> WalkScope {
        var attemptScope = scope
        if node.options.maxRetries > 0 || earlier > 0 { attemptScope.attempt = earlier + attempt }
        attemptScope.resumed = earlier > 0 && attempt == 1 && restarted
        return attemptScope
    }

    /// After the attempts: the review of the output, `on_error: skip`.
    @inline(never)
    func end(_ node: StepNode, _ outcome: StepOutcome, input: String, scope: WalkScope, path: String) -> StepOutcome {
        switch outcome {
        case .completed(_, let succeeded):
            if succeeded, let review = node.options.humanReview, review.requiresOutputReview, case .completed(let output, _) = outcome {
                return pause(node, review, .outputReview, path: path, scope: scope, content: output)
            }
            return completed(node, outcome, scope)
        case .failed where node.options.onError == .skip:
            // Marked ERROR; the next node gets this node's input.
            record.advance(NodeResult(path: scope.place(of: node).path, index: node.index, succeeded: false, output: input))
            for collector in scope.collectors { collector.record(node.name, input, succeeded: false) }
            return .completed(input, succeeded: false)
        case .failed, .cancelled, .paused:
            return outcome
        }
    }

    /// A node is done with `outcome` (`.completed`): the run's progress and the loop iterations above see its output.
    func completed(_ node: StepNode, _ outcome: StepOutcome, _ scope: WalkScope) -> StepOutcome {
        if case .completed(let output, let succeeded) = outcome {
            progress.completed(node.name, output)
            for collector in scope.collectors { collector.record(node.name, output, succeeded: succeeded) }
        }
        return outcome
    }

    /// Sends a construct's event unless the run sent it before it paused or stopped (a replay).
    func announce(_ name: EventName, _ place: StepPlace, _ fields: [(String, JSONValue?)] = []) {
        if ledger?.alreadySent(name, path: place.path, iteration: place.iteration) == true { return }
        record.emit(events.step(name, place, fields))
    }

    /// One attempt, within the node's `timeout` when it has one: when the time is up, the attempt is
    /// cancelled and fails with "timed out".
    @inline(never)
    private func timed(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard let seconds = node.options.timeout else { return await execute(node, input: input, scope: scope) }
        let interrupt = Interrupt(.timeout)
        let message = "step '\(node.name)' timed out after \(secondsText(seconds)) s"
        let inner = scope.with(interrupt)
        return await NodeWalker.race(seconds: seconds, interrupt: interrupt, message: message) {
            await self.execute(node, input: input, scope: inner)
        }
    }

    /// Runs `body`; if it is still running after `seconds`, fires `interrupt` and cancels it, and returns what
    /// it then returns (a failure naming the timeout, the nodes below read the interrupt).
    @inline(never)
    static func race(seconds: Double, interrupt: Interrupt, message: String, _ body: @escaping @Sendable () async -> StepOutcome) async
        -> StepOutcome
    {
        await withTaskGroup(of: StepOutcome?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            let first = await group.next()!
            if let outcome = first {
                group.cancelAll()
                return outcome
            }
            // The timer ended: the time is up, unless the run itself is being cancelled.
            if !Task.isCancelled { interrupt.fire(message) }
            group.cancelAll()
            while let next = await group.next() {
                guard let outcome = next else { continue }
                if interrupt.reason != nil, case .cancelled = outcome { return .failed(message) }
                return outcome
            }
            return .failed(message)
        }
    }

    /// One attempt of `node`, by kind. Each kind's function takes its part of the node itself: a payload bound
    /// here would be a slot of this frame for every kind, kept for as long as the node runs.
    @inline(never)
    func execute(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        switch node.kind {
        case .agent: return await runAgent(node, input: input, scope: scope)
        case .steps: return await runSteps(node, input: input, scope: scope)
        case .parallel: return await runParallel(node, input: input, scope: scope)
        case .condition: return await runCondition(node, input: input, scope: scope)
        case .loop: return await runLoop(node, input: input, scope: scope)
        case .router: return await runRouter(node, input: input, scope: scope)
        }
    }

    /// Runs `nodes` one after the other, each on the previous one's output; stops at the first that fails
    /// or is cancelled. The output is the last node's.
    @inline(never)
    func sequence(_ nodes: [StepNode], input: String, scope: WalkScope) async -> StepOutcome {
        var previous = input
        for node in nodes {
            if Task.isCancelled { return .cancelled(partial: previous) }
            switch await walk(node, input: previous, scope: scope) {
            case .completed(let output, _): previous = output
            case let other: return other
            }
        }
        return .completed(previous)
    }
}
