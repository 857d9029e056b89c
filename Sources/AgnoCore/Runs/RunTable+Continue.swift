import AgnoProtocol
import Foundation

/// Runs that go on: a PAUSED run whose pause is answered (`continue`, or its timeout), and a run a restart
/// interrupted. Either is read back from the store (`ResumeLedger`: what it did), becomes live again as
/// PENDING and waits for a slot like any run; its walk replays the tree, so it holds nothing while it waits.
extension RunTable {
    /// Answers the PAUSED run's requirement. Throws `not_found` (no such run, or not the caller's),
    /// `conflict` (not PAUSED, or its workflow changed), `bad_request` (a decision or input the requirement
    /// does not allow; nothing changes), `unavailable` (its workflow is not loaded).
    public func continueRun(
        _ runID: String, decision: Review.Decision, input: JSONValue?, caller: Caller, requirementSeq: Int? = nil
    ) async throws(ProtocolError) -> RunRecord {
        await claims.acquire(runID)
        defer { claims.release(runID) }
        try await settlePause(runID, caller: caller)
        let run = try await pausedRun(runID, caller: caller)
        let requirement = run.waitingFor!
        if let requirementSeq, requirementSeq != requirement.seq {
            throw ProtocolError(.conflict, "run '\(runID)' no longer waits for that pause")
        }
        let action = try Self.action(decision, input: input, requirement)
        let workflow = try workflow(for: run)
        var review = Review(
            stepPath: requirement.stepPath, kind: requirement.kind, decision: decision, action: action,
            input: decision == .approve && !(input?.objectValue?.isEmpty ?? true) ? input : nil, by: caller.user)
        review.seq = run.lastSeq + 1
        try await claimAcrossHosts(run)
        let record: RunRecord
        do {
            record = try await revive(run, workflow: workflow, restarted: false, answer: review)
        } catch {
            throw ProtocolError(.internal, "could not read the run back from the store: \(error)")
        }
        let place = StepPlace(
            name: requirement.stepName, index: requirement.stepIndex, path: requirement.stepPath,
            type: workflow.nodes.indices.contains(requirement.stepIndex) ? workflow.nodes[requirement.stepIndex].typeName : "Step")
        let event = RunEvents(record: record).step(
            .stepContinued, place,
            [
                ("requirement_kind", .string(requirement.kind.rawValue)), ("decision", .string(decision.rawValue)),
                ("action", .string(action.rawValue)), ("input", review.input), ("by", .string(caller.user)),
            ])
        do {
            try await record.answer(review, event: event)
        } catch {
            throw ProtocolError(.internal, "could not store the answer: \(error)")
        }
        cancelPauseTimer(runID)
        admit(record, queued: action != .cancel)
        changed(.continued(record))
        if action == .cancel {
            let why =
                decision == .timeout
                ? "nobody answered the review of '\(requirement.stepName)' in time (on_timeout: cancel)"
                : "rejected by \(caller.user) at the review of '\(requirement.stepName)'"
            _ = record.cancel(reason: why, by: caller.user)
        }
        startQueued()
        return record
    }

    /// Cancels a PAUSED run (it has no task): it ends CANCELLED with `WorkflowCancelled`.
    func cancelPaused(_ runID: String, reason: String, caller: Caller) async throws(ProtocolError) -> (cancelled: Bool, status: RunStatus) {
        await claims.acquire(runID)
        defer { claims.release(runID) }
        if let record = live(runID) {
            // It went on meanwhile: cancel it as a live run.
            switch record.cancel(reason: reason, by: caller.user) {
            case .cancelledPending, .cancellingRunning: return (true, record.status)
            case .alreadyEnded(let status): return (false, status)
            }
        }
        let run = try await summary(runID, caller: caller)
        guard run.status == .paused else { return (false, run.status) }
        try await claimAcrossHosts(run)
        let workflow = workflows.withLock { $0.body }?(run.workflow) ?? WorkflowDefinition(name: run.workflow, agents: [:], steps: [])
        let record = RunRecord(
            revived: run, workflow: workflow, writer: writer, ledger: ResumeLedger(restarted: false, position: [], reviews: []))
        record.onSettled { [weak self] in self?.settled($0) }
        cancelPauseTimer(runID)
        admit(record, queued: false)
        _ = record.cancel(reason: reason, by: caller.user)
        return (true, .paused)
    }

    /// Makes a run that a restart interrupted go on from its last completed node.
    public func resume(_ run: RunSummary, workflow: WorkflowDefinition) async throws {
        let record = try await revive(run, workflow: workflow, restarted: true, answer: nil)
        admit(record, queued: true)
        changed(.resumed(record))
        startQueued()
    }

    /// With other hosts sharing the store: takes the PAUSED run for this host, so that one host (the first)
    /// answers or cancels a pause. Throws `conflict` when another host took it first.
    func claimAcrossHosts(_ run: RunSummary) async throws(ProtocolError) {
        guard let cluster else { return }
        let taken: Bool
        do {
            taken = try await cluster.claimPaused(runID: run.runID, requirementSeq: run.waitingFor?.seq ?? 0)
        } catch {
            throw ProtocolError(.unavailable, "could not take paused run '\(run.runID)' for this host: \(error)", retryAfterMs: 500)
        }
        guard taken else {
            throw ProtocolError(
                .conflict, "run '\(run.runID)' no longer waits for that pause: it was answered or cancelled on another host")
        }
    }

    /// Whether `workflow` has the tree the run was started on (names, paths and types of every node): a run
    /// goes on only then, even if other parts of the file (instructions, models) changed.
    public static func sameTree(_ run: RunSummary, _ workflow: WorkflowDefinition) -> Bool {
        run.steps.count == workflow.nodes.count
            && zip(run.steps, workflow.nodes).allSatisfy { $0.path == $1.path && $0.type == $1.typeName }
    }

    /// Arms the timeout of a PAUSED run's requirement: when it expires, the run goes on as its `on_timeout` says.
    public func armPauseTimer(_ run: RunSummary) {
        guard run.status == .paused, let requirement = run.waitingFor, let expires = requirement.expiresAt else { return }
        let runID = run.runID
        let seq = requirement.seq
        let task = Task { [weak self] in
            let delay = max(0, expires.timeIntervalSinceNow)
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            guard !Task.isCancelled, let self else { return }
            let agnod = Caller(uid: 0, user: "agnod", isAdmin: true)
            _ = try? await self.continueRun(runID, decision: .timeout, input: nil, caller: agnod, requirementSeq: seq)
        }
        pauseTimers.withLock { timers in
            timers[runID]?.cancel()
            timers[runID] = task
        }
    }

    func cancelPauseTimer(_ runID: String) {
        let task = pauseTimers.withLock { $0.removeValue(forKey: runID) }
        task?.cancel()
    }

    // MARK: - Parts

    /// A live run that just paused leaves the live table once its pause is stored; wait for that. A run that
    /// is live otherwise is not PAUSED.
    private func settlePause(_ runID: String, caller: Caller) async throws(ProtocolError) {
        guard let record = live(runID), caller.mayAccess(ownerUID: record.owner.uid) else { return }
        if record.status == .paused {
            await writer.flush()
            if live(runID) == nil { return }
        }
        throw ProtocolError(.conflict, "run '\(runID)' is \(record.status.rawValue), not PAUSED: only a paused run can be continued")
    }

    private func pausedRun(_ runID: String, caller: Caller) async throws(ProtocolError) -> RunSummary {
        let run = try await summary(runID, caller: caller)
        guard run.status == .paused, run.waitingFor != nil else {
            throw ProtocolError(.conflict, "run '\(runID)' is \(run.status.rawValue), not PAUSED: only a paused run can be continued")
        }
        return run
    }

    private func workflow(for run: RunSummary) throws(ProtocolError) -> WorkflowDefinition {
        guard let workflow = workflows.withLock({ $0.body })?(run.workflow) else {
            throw ProtocolError(
                .unavailable, "workflow '\(run.workflow)' of run '\(run.runID)' is not loaded; the run cannot go on until it is")
        }
        guard Self.sameTree(run, workflow) else {
            throw ProtocolError(
                .conflict,
                "the steps of workflow '\(run.workflow)' changed since run '\(run.runID)' started; it cannot go on (cancel it, or restore the file)"
            )
        }
        return workflow
    }

    /// What the answer does, after checking it against the requirement (nothing is changed when it is refused).
    static func action(_ decision: Review.Decision, input: JSONValue?, _ requirement: PauseRequirement) throws(ProtocolError)
        -> Review.Action
    {
        let given = !(input?.objectValue?.isEmpty ?? true)
        switch decision {
        case .approve:
            if requirement.kind == .userInput {
                try InputField.validate(input, against: requirement.schema)
            } else if given {
                throw .badRequest(
                    "parameter 'input': step '\(requirement.stepName)' asks for \(requirement.kind == .outputReview ? "a review of its output" : "a confirmation"), not for input"
                )
            }
            return .approve
        case .reject:
            if given { throw .badRequest("parameter 'input' goes with \"approve\" only; a rejection takes no input") }
            return Review.Action(rawValue: requirement.onReject) ?? .cancel
        case .timeout:
            return Review.Action(rawValue: requirement.onTimeout ?? "cancel") ?? .cancel
        }
    }

    /// The run as a live record again, with what it did read from the store.
    private func revive(_ run: RunSummary, workflow: WorkflowDefinition, restarted: Bool, answer: Review?) async throws -> RunRecord {
        let ledger = ResumeLedger(
            restarted: restarted, position: try await store.position(runID: run.runID), reviews: run.reviews + (answer.map { [$0] } ?? []))
        var after = 0
        while true {
            let page = try await store.events(runID: run.runID, afterSeq: after, limit: 4096)
            guard let last = page.last else { break }
            ledger.note(page)
            after = last.seq
        }
        let record = RunRecord(revived: run, workflow: workflow, writer: writer, ledger: ledger)
        record.onSettled { [weak self] in self?.settled($0) }
        return record
    }

    /// Puts a revived run in the live table and, unless it is about to be cancelled, in its owner's queue.
    private func admit(_ record: RunRecord, queued: Bool) {
        state.withLock { s in
            s.live[record.runID] = record
            if queued { s.queue.enqueue(record) }
        }
    }
}
