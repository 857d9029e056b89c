/// agnod's metric names, one fixed type and one fixed set of label names each (swift-prometheus stops the
/// process when a name changes type or labels). Counters end in `_total`, durations in `_seconds`.
public enum MetricName {
    /// Counter {workflow}: runs accepted by `start`.
    public static let runsStarted = "agnod_runs_started_total"
    /// Counter {status, workflow}: runs that ended (COMPLETED, ERROR, CANCELLED) or paused (PAUSED).
    public static let runsFinished = "agnod_runs_finished_total"
    /// Histogram {status, workflow}: from a run's start to its end.
    public static let runDuration = "agnod_run_duration_seconds"
    /// Histogram {status, workflow}: one agent step, its model calls and tool calls.
    public static let stepDuration = "agnod_step_duration_seconds"
    /// Histogram {model, provider}: from a model request to its first streamed piece.
    public static let timeToFirstToken = "agnod_model_time_to_first_token_seconds"
    /// Histogram {model, provider}: a whole model call, request to the end of its stream.
    public static let modelLatency = "agnod_model_request_duration_seconds"
    /// Counter {kind, model, provider}: model calls that failed (`unreachable`, `http_429`, `timeout`, `broken_stream`…).
    public static let modelErrors = "agnod_model_errors_total"
    /// Counter {kind, model, provider}: tokens, `kind` = `input` or `output`.
    public static let tokens = "agnod_model_tokens_total"
    /// Counter {model, provider}: text chunks streamed by models, counted as they arrive (a token each with
    /// llama.cpp; what `agnoctl top` shows per second).
    public static let streamedChunks = "agnod_model_streamed_chunks_total"
    /// Counter {model, provider}: the cost of the tokens, for models with a price.
    public static let cost = "agnod_model_cost_total"
    /// Counter {outcome, tool}: tool calls, `outcome` = `completed` or `error`.
    public static let toolCalls = "agnod_tool_calls_total"
    /// Histogram: from a cancel request to the run's end being stored.
    public static let cancelLatency = "agnod_cancel_latency_seconds"
    /// Histogram: one group commit of the store.
    public static let storeCommit = "agnod_store_commit_duration_seconds"
    /// Gauge {user}: RUNNING runs of each user (on this host).
    public static let activeRuns = "agnod_active_runs"
    /// Gauge {user}: PENDING runs waiting in each user's queue (on this host).
    public static let queuedRuns = "agnod_queued_runs"
    /// Gauge: events handed to the store writer and not yet committed.
    public static let storeQueueDepth = "agnod_store_queue_depth"
    /// Gauge: open client connections.
    public static let connections = "agnod_connections"
    /// Counter: client connections accepted.
    public static let connectionsAccepted = "agnod_connections_accepted_total"
}
