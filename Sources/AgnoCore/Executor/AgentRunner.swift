import AgnoProtocol
import CoreMetrics
import Foundation

/// Runs one agent step: instructions as the system message, the step's input as the user message, then
/// model calls and tool calls until the model answers in text. Emits the step's and the agent's events.
/// A class: `self` in the frames of its async functions is one reference.
final class AgentRunner: Sendable {
    let environment: ExecutionEnvironment
    let record: RunRecord
    let events: RunEvents
    let budget: ToolBudget

    init(environment: ExecutionEnvironment, record: RunRecord, events: RunEvents, budget: ToolBudget) {
        self.environment = environment
        self.record = record
        self.events = events
        self.budget = budget
    }

    /// Runs the agent of `node` on `input` in `scope`: the step's events, its summary entry, and its outcome.
    /// Cancelled by a timeout (an interrupt of the scope), the step fails; by a failing sibling, it is cancelled
    /// with that reason; by the run's cancel, it is cancelled with the run's reason.
    ///
    /// Only the model and tool calls await: the step's state is one object, and what comes before and after is
    /// synchronous, so the frame a stalled step keeps in its task stays small.
    @inline(never)
    func run(node: StepNode, input: String, scope: WalkScope) async -> StepOutcome {
        let state = begin(node, scope)
        defer { observeStep(node, usage: state.usage) }
        let conversation: Conversation
        do {
            conversation = try start(state, input: input)
            return completed(node, state, try await converse(state, conversation))
        } catch {
            return ended(node, state, scope, error)
        }
    }

    /// The step's model, resolved, and its `RunStarted`: the conversation can begin.
    @inline(never)
    private func start(_ state: StepState, input: String) throws -> Conversation {
        let ref = try environment.models.reference(for: state.agent.model)
        let model = try environment.models.model(for: ref)
        record.emit(events.agent(.runStarted, state.context, [("model", .string(ref.model)), ("model_provider", .string(ref.provider))]))
        return Conversation(
            state.agent, model: model, ref: ref, tools: environment.tools.tools(named: state.agent.tools), input: input,
            streamed: environment.metrics.streamedChunks(provider: ref.provider, model: ref.model))
    }

    /// The step was cancelled (by the run, a sibling or a timeout) or failed with `error`.
    @inline(never)
    private func ended(_ node: StepNode, _ state: StepState, _ scope: WalkScope, _ error: any Error) -> StepOutcome {
        if Task.isCancelled || error is CancellationError { return cancelled(node, state, scope) }
        return errored(node, state, error)
    }

    /// What one agent step keeps while its model and tools are called.
    final class StepState: Sendable {
        let agent: AgentDefinition
        let place: StepPlace
        let context: RunEvents.AgentContext
        let text = TextBuffer()
        let usage = StepUsage()

        init(agent: AgentDefinition, place: StepPlace, context: RunEvents.AgentContext) {
            self.agent = agent
            self.place = place
            self.context = context
        }
    }

    @inline(never)
    private func begin(_ node: StepNode, _ scope: WalkScope) -> StepState {
        guard case .agent(let step) = node.kind else { preconditionFailure("an agent step that is a \(node.typeName)") }
        let agent = record.workflow.agents[step.agent]!
        let place = scope.place(of: node)
        let context = events.agentContext(agentRunID: RunID.make(), place: place, agentID: agent.key, agentName: agent.name)
        record.markRunning(node.index, scope)
        record.emit(events.step(.stepStarted, place, [("step_description", node.description.map(JSONValue.string))]))
        return StepState(agent: agent, place: place, context: context)
    }

    @inline(never)
    private func completed(_ node: StepNode, _ state: StepState, _ content: String) -> StepOutcome {
        let index = node.index
        let metrics = state.usage.metrics
        record.emit(events.agent(.runCompleted, state.context, [("content", .string(content)), ("metrics", metrics?.json)]))
        record.update { s in
            s.steps[index].status = .completed
            s.steps[index].content = content
            s.record(metrics, step: index)
        }
        record.emit(
            events.step(.stepCompleted, state.place, [("content", .string(content)), ("metrics", metrics?.json)]),
            completing: NodeResult(path: state.place.path, index: index, succeeded: true, output: content))
        return .completed(content)
    }

    @inline(never)
    private func cancelled(_ node: StepNode, _ state: StepState, _ scope: WalkScope) -> StepOutcome {
        let index = node.index
        let partial = state.text.value
        if let (kind, reason) = scope.firedInterrupt, kind == .timeout {
            return failed(node, state.place, state.context, message: reason, partial: partial, usage: state.usage)
        }
        let reason = scope.firedInterrupt?.reason ?? record.cancelReason ?? "cancelled"
        let metrics = state.usage.metrics
        record.emit(
            events.agent(
                .runCancelled, state.context, [("reason", .string(reason)), ("content", .string(partial)), ("metrics", metrics?.json)]))
        record.update { s in
            s.steps[index].status = .cancelled
            s.steps[index].content = partial
            if scope.firedInterrupt == nil { s.content = partial }
            s.record(metrics, step: index)
        }
        return .cancelled(partial: partial)
    }

    @inline(never)
    private func errored(_ node: StepNode, _ state: StepState, _ error: any Error) -> StepOutcome {
        if let error = error as? ModelError {
            // (nil when the model's name itself was the error, as the metric then says)
            let ref = try? environment.models.reference(for: state.agent.model)
            environment.metrics.modelError(provider: ref?.provider ?? "", model: ref?.model ?? state.agent.model, kind: error.label)
        }
        let message = (error as? ModelError)?.message ?? "\(error)"
        return failed(
            node, state.place, state.context, message: message, partial: state.text.value, usage: state.usage,
            prefix: "step '\(node.name)' failed: ")
    }

    @inline(never)
    private func failed(
        _ node: StepNode, _ place: StepPlace, _ context: RunEvents.AgentContext, message: String, partial: String, usage: StepUsage,
        prefix: String = ""
    ) -> StepOutcome {
        let metrics = usage.metrics
        record.emit(events.agent(.runError, context, [("content", .string(message)), ("metrics", metrics?.json)]))
        record.update { s in
            s.steps[node.index].status = .error
            s.steps[node.index].error = message
            if !partial.isEmpty { s.steps[node.index].content = partial }
            s.record(metrics, step: node.index)
        }
        record.emit(events.step(.stepError, place, [("error", .string(message)), ("metrics", metrics?.json)]))
        return .failed(prefix + message)
    }

    /// The step's duration, by its workflow and how it ended.
    private func observeStep(_ node: StepNode, usage: StepUsage) {
        guard environment.metrics.enabled else { return }
        let status = record.state.withLock { $0.steps[node.index].status }
        environment.metrics.stepFinished(workflow: record.workflow.name, status: status.rawValue, duration: usage.elapsed)
    }

    /// Model calls and tool calls until the model answers without tool calls; returns all the text it wrote.
    /// The conversation is one object and each model call a function of its own: the frames a step keeps in its
    /// task for as long as it runs hold little more than references.
    @inline(never)
    private func converse(_ state: StepState, _ conversation: Conversation) async throws -> String {
        while true {
            let calls = try await modelTurn(conversation, state)
            if calls.isEmpty { return state.text.value }
            let results = try await callTools(calls, byName: conversation.byName, context: state.context)
            conversation.answer(calls, results)
        }
    }

    /// One model call and its answer. Returns the tool calls the model asked for (none: the step's answer is
    /// complete).
    @inline(never)
    private func modelTurn(_ conversation: Conversation, _ state: StepState) async throws -> [ToolCall] {
        let offerTools = !conversation.tools.isEmpty && !budget.exhausted
        let turn = try await stream(conversation, state, offerTools: offerTools)
        return try answered(turn, conversation, state, offeredTools: offerTools)
    }

    /// The model call itself: its content streamed as the step's events.
    @inline(never)
    private func stream(_ conversation: Conversation, _ state: StepState, offerTools: Bool) async throws -> ChatTurn {
        try await RunSpans.modelCall(conversation.ref, runID: record.runID) { [self] in
            try await conversation.model.stream(
                conversation.request(offerTools: offerTools), onContent: { content($0, state, conversation.streamed) }, pace: pace)
        }
    }

    /// A piece of the model's answer: the step's text and a `RunContent` event.
    private func content(_ delta: String, _ state: StepState, _ streamed: Counter?) {
        streamed?.increment()
        state.text.append(delta)
        record.emitStreamed(encoded: events.runContent(delta, state.context))
    }

    /// After each network read: its events go to the store together, and the step waits while the store is
    /// behind.
    private func pace() async {
        record.flushStreamed()
        await record.roomToWrite()
    }

    /// A model call's turn is in: its usage counted, its tool calls (if any) added to the conversation.
    @inline(never)
    private func answered(_ turn: ChatTurn, _ conversation: Conversation, _ state: StepState, offeredTools: Bool) throws -> [ToolCall] {
        let ref = conversation.ref
        state.usage.add(turn.metrics)
        environment.metrics.modelCall(provider: ref.provider, model: ref.model, metrics: turn.metrics)
        try Task.checkCancellation()
        if turn.toolCalls.isEmpty { return [] }
        if !offeredTools && budget.exhausted {
            // Offered no tools (the run's limit is reached), the model still calls some: stop, or it loops.
            throw ToolError("the model kept calling tools after the run's tool_call_limit (\(budget.limit)) was reached")
        }
        conversation.messages.append(
            ChatMessage(role: .assistant, content: turn.content.isEmpty ? nil : turn.content, toolCalls: turn.toolCalls))
        return turn.toolCalls
    }

    /// Runs the model's tool calls concurrently; each result (or error text) goes back to the model in order.
    @inline(never)
    private func callTools(_ calls: [ToolCall], byName: [String: any Tool], context: RunEvents.AgentContext) async throws -> [String] {
        var results = [String](repeating: "", count: calls.count)
        try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (position, call) in calls.enumerated() {
                let arguments = (try? JSONValue.parse(call.arguments.isEmpty ? "{}" : call.arguments)) ?? .string(call.arguments)
                let callRecord = ToolCallRecord(
                    toolCallID: call.id, stepIndex: context.stepIndex, stepName: context.stepName, agentID: context.agentID,
                    name: call.name, arguments: arguments, result: nil, error: nil, durationMS: 0)
                record.emit(events.agent(.toolCallStarted, context, [("tool", eventTool(callRecord, ended: false))]))
                guard budget.take() else {
                    let message = "tool call limit of \(budget.limit) reached for this run"
                    results[position] = Self.errorResult(message)
                    var failed = callRecord
                    failed.error = message
                    record.emit(events.agent(.toolCallError, context, [("tool", eventTool(failed, ended: true))]), toolCall: failed)
                    continue
                }
                group.addTask { [self] in
                    let started = ContinuousClock.now
                    let outcome = await RunSpans.toolCall(call, runID: record.runID) { () async -> Result<String, any Error> in
                        guard let tool = byName[call.name] else {
                            return .failure(
                                ToolError("there is no tool named '\(call.name)' (have: \(byName.keys.sorted().joined(separator: ", ")))"))
                        }
                        if case .string = arguments, !call.arguments.isEmpty {
                            return .failure(ToolError("the arguments are not valid JSON: \(call.arguments.prefix(200))"))
                        }
                        do { return .success(try await tool.call(arguments)) } catch { return .failure(error) }
                    }
                    try Task.checkCancellation()
                    let elapsed = ContinuousClock.now - started
                    let ms =
                        ((Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) * 1000).rounded()
                        / 1000
                    var ended = callRecord
                    ended.durationMS = ms
                    switch outcome {
                    case .success(let result):
                        environment.metrics.toolCall(tool: call.name, succeeded: true)  // (a known tool: it ran)
                        ended.result = result
                        record.emit(events.agent(.toolCallCompleted, context, [("tool", eventTool(ended, ended: true))]), toolCall: ended)
                        return (position, result)
                    case .failure(let error):
                        // A name the model made up is not a label (unbounded, and the model's own text).
                        environment.metrics.toolCall(tool: byName[call.name] == nil ? "unknown" : call.name, succeeded: false)
                        let message = (error as? ToolError)?.message ?? "\(error)"
                        ended.error = message
                        record.emit(events.agent(.toolCallError, context, [("tool", eventTool(ended, ended: true))]), toolCall: ended)
                        return (position, Self.errorResult(message))
                    }
                }
            }
            for try await (position, result) in group { results[position] = result }
        }
        return results
    }

    /// A tool event's `tool` object, from the call's record: once it ended, a result longer than events carry
    /// is cut (the whole of it stays in the run record: `tool_calls`).
    func eventTool(_ call: ToolCallRecord, ended: Bool) -> JSONValue {
        var fields: [(String, JSONValue?)] = [
            ("tool_call_id", .string(call.toolCallID)), ("name", .string(call.name)), ("arguments", call.arguments),
        ]
        guard ended else { return .compactObject(fields) }
        let limit = environment.eventResultLimit
        let cut = (call.result?.count ?? 0) > limit
        fields += [
            ("result", call.result.map { .string(cut ? String($0.prefix(limit)) + "…[truncated]" : $0) }),
            ("result_truncated", cut ? .bool(true) : nil), ("error", call.error.map(JSONValue.string)),
            ("duration_ms", .double(call.durationMS)),
        ]
        return .compactObject(fields)
    }

    static func errorResult(_ message: String) -> String {
        JSONValue.object([("error", .string(message))]).encodedString
    }

    /// `auto`/`none`/`required` as they are; any other value names the one function the model must call.
    static func toolChoice(_ choice: String?) -> JSONValue? {
        guard let choice else { return nil }
        switch choice {
        case "auto", "none", "required": return .string(choice)
        default: return .object([("type", "function"), ("function", .object([("name", .string(choice))]))])
        }
    }
}
