import AgnoProtocol
import Tracing

/// OpenTelemetry spans (swift-distributed-tracing; agnod bootstraps swift-otel when `tracing.endpoint` is set,
/// otherwise they cost a no-op span): one per run, per attempt of each step (constructs and agent steps),
/// per model call and per tool call, each with the run's id as `run_id`. Children find their parent through
/// the task's ServiceContext, also across parallel branches and concurrent tool calls.
enum RunSpans {
    /// Whether a tracer is bootstrapped (`tracing.endpoint`): without one, no span is made at all (a no-op
    /// span still costs each run a few task-allocator frames, ~1 KB each, for as long as it runs).
    static var tracing: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// The whole run, in the task that executes it.
    static func run(_ record: RunRecord, _ body: () async -> Void) async {
        guard tracing else { return await body() }
        await tracedRun(record, body)
    }

    /// (Apart, and not inlined: the span's machinery would otherwise be slots of the caller's frame, traced or not.)
    @inline(never)
    private static func tracedRun(_ record: RunRecord, _ body: () async -> Void) async {
        await withSpan("workflow_run", ofKind: .server) { span in
            span.attributes["run_id"] = record.runID
            span.attributes["session_id"] = record.sessionID
            span.attributes["workflow"] = record.workflow.name
            span.attributes["user"] = record.owner.user
            await body()
            let summary = record.summary
            span.attributes["status"] = summary.status.rawValue
            if let metrics = summary.metrics { tokens(metrics, on: span) }
            if summary.status == .error { span.setStatus(SpanStatus(code: .error, message: summary.error.map(cut))) }
        }
    }

    /// One attempt of a node.
    static func step(
        _ node: StepNode, path: String, attempt: Int?, runID: String, _ body: () async -> StepOutcome
    ) async -> StepOutcome {
        guard tracing else { return await body() }
        return await tracedStep(node, path: path, attempt: attempt, runID: runID, body)
    }

    /// (Apart, and not inlined: the span's machinery would otherwise be slots of the caller's frame, traced or not.)
    @inline(never)
    private static func tracedStep(
        _ node: StepNode, path: String, attempt: Int?, runID: String, _ body: () async -> StepOutcome
    ) async -> StepOutcome {
        return await withSpan("step", ofKind: .internal) { span in
            span.attributes["run_id"] = runID
            span.attributes["step.name"] = node.name
            span.attributes["step.path"] = path
            span.attributes["step.type"] = node.typeName
            if let attempt { span.attributes["step.attempt"] = attempt }
            let outcome = await body()
            switch outcome {
            case .completed: span.attributes["step.status"] = "COMPLETED"
            case .failed(let message):
                span.attributes["step.status"] = "ERROR"
                span.setStatus(SpanStatus(code: .error, message: cut(message)))
            case .cancelled: span.attributes["step.status"] = "CANCELLED"
            case .paused: span.attributes["step.status"] = "PAUSED"
            }
            return outcome
        }
    }

    /// One model call (an error thrown by it is recorded on the span).
    static func modelCall(_ ref: ModelRef, runID: String, _ body: () async throws -> ChatTurn) async throws -> ChatTurn {
        guard tracing else { return try await body() }
        return try await tracedModelCall(ref, runID: runID, body)
    }

    /// (Apart, and not inlined: the span's machinery would otherwise be slots of the caller's frame, traced or not.)
    @inline(never)
    private static func tracedModelCall(_ ref: ModelRef, runID: String, _ body: () async throws -> ChatTurn) async throws -> ChatTurn {
        return try await withSpan("model_call", ofKind: .client) { span in
            span.attributes["run_id"] = runID
            span.attributes["gen_ai.system"] = ref.provider
            span.attributes["gen_ai.request.model"] = ref.model
            let turn = try await body()
            tokens(turn.metrics, on: span)
            if let ttft = turn.metrics.timeToFirstToken { span.attributes["gen_ai.time_to_first_token"] = ttft }
            span.attributes["gen_ai.response.finish_reasons"] = turn.finishReason.map { [$0] } ?? []
            return turn
        }
    }

    /// One tool call; `body` answers the result or the error text.
    static func toolCall(_ call: ToolCall, runID: String, _ body: () async -> Result<String, any Error>) async -> Result<String, any Error>
    {
        guard tracing else { return await body() }
        return await tracedToolCall(call, runID: runID, body)
    }

    /// (Apart, and not inlined: the span's machinery would otherwise be slots of the caller's frame, traced or not.)
    @inline(never)
    private static func tracedToolCall(_ call: ToolCall, runID: String, _ body: () async -> Result<String, any Error>)
        async -> Result<String, any Error>
    {
        return await withSpan("tool_call", ofKind: .client) { span in
            span.attributes["run_id"] = runID
            span.attributes["tool.name"] = call.name
            span.attributes["tool.call_id"] = call.id
            let outcome = await body()
            if case .failure(let error) = outcome {
                span.setStatus(SpanStatus(code: .error, message: cut((error as? ToolError)?.message ?? "\(error)")))
            }
            return outcome
        }
    }

    /// Error texts go to the collector cut to 200 characters (they may quote a tool's arguments).
    static func cut(_ message: String) -> String {
        message.count <= 200 ? message : String(message.prefix(200)) + "…"
    }

    static func tokens(_ metrics: RunMetrics, on span: any Span) {
        span.attributes["gen_ai.usage.input_tokens"] = metrics.inputTokens
        span.attributes["gen_ai.usage.output_tokens"] = metrics.outputTokens
        if let cost = metrics.cost { span.attributes["agnod.cost"] = cost }
    }
}
