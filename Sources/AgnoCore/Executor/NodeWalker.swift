import AgnoProtocol
import Foundation

/// The recursive executor: runs one node of the step tree (and so everything under it) in the calling
/// task and returns how it ended. Retries, per-attempt timeouts and `on_error` apply the same way to every
/// kind of node; what a kind does is in its own file (`NodeWalker+Parallel.swift`, …), so a new construct
/// is one new case of `execute`.
struct NodeWalker: Sendable {
    let environment: ExecutionEnvironment
    let record: RunRecord
    let events: RunEvents
    let budget: ToolBudget
    let progress: RunProgress

    /// Runs `node` on `input` (the previous step's output): every attempt, then its `on_error`.
    func walk(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        let attempts = node.options.maxRetries + 1
        var outcome = StepOutcome.failed("step '\(node.name)' did not run")
        for attempt in 1...attempts {
            var attemptScope = scope
            if node.options.maxRetries > 0 { attemptScope.attempt = attempt }
            outcome = await timed(node, input: input, scope: attemptScope)
            guard case .failed = outcome, attempt < attempts, !Task.isCancelled else { break }
        }
        switch outcome {
        case .completed(let output, let succeeded):
            progress.completed(node.name, output)
            for collector in scope.collectors { collector.record(node.name, output, succeeded: succeeded) }
            return outcome
        case .failed where node.options.onError == .skip:
            // Marked ERROR; the next node gets this node's input.
            record.advance(NodeResult(path: scope.place(of: node).path, index: node.index, succeeded: false, output: input))
            for collector in scope.collectors { collector.record(node.name, input, succeeded: false) }
            return .completed(input, succeeded: false)
        case .failed, .cancelled:
            return outcome
        }
    }

    /// One attempt, within the node's `timeout` when it has one: when the time is up, the attempt is
    /// cancelled and fails with "timed out".
    private func timed(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        guard let seconds = node.options.timeout else { return await execute(node, input: input, scope: scope) }
        let interrupt = Interrupt(.timeout)
        let message = "step '\(node.name)' timed out after \(secondsText(seconds)) s"
        let inner = scope.with(interrupt)
        return await NodeWalker.race(seconds: seconds, interrupt: interrupt, message: message) {
            await execute(node, input: input, scope: inner)
        }
    }

    /// Runs `body`; if it is still running after `seconds`, fires `interrupt` and cancels it, and returns what
    /// it then returns (a failure naming the timeout, the nodes below read the interrupt).
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

    /// One attempt of `node`, by kind.
    func execute(_ node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        switch node.kind {
        case .agent(let step): return await runAgent(node, step, input: input, scope: scope)
        case .steps(let children): return await runSteps(node, children, input: input, scope: scope)
        case .parallel(let branches): return await runParallel(node, branches, input: input, scope: scope)
        case .condition(let condition): return await runCondition(node, condition, input: input, scope: scope)
        case .loop(let loop): return await runLoop(node, loop, input: input, scope: scope)
        case .router(let router): return await runRouter(node, router, input: input, scope: scope)
        }
    }

    /// Runs `nodes` one after the other, each on the previous one's output; stops at the first that fails
    /// or is cancelled. The output is the last node's.
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
