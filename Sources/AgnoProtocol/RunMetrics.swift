/// What model calls cost: agno's `metrics` fields (`input_tokens`, `output_tokens`, `total_tokens`, `cost`,
/// `time_to_first_token`, `duration`, the times in seconds), for one model call, one step or a whole run.
/// Tokens are the provider's `usage`; a provider that streams no usage (llama.cpp's Python server) gets its
/// output tokens counted from the streamed pieces and no input tokens, and the metrics say `usage_estimated`.
public struct RunMetrics: Sendable, Equatable {
    public var inputTokens: Int
    public var outputTokens: Int
    public var totalTokens: Int
    /// In the currency of the configured prices; nil when the model has no price.
    public var cost: Double?
    /// Seconds from the first model request to its first streamed piece.
    public var timeToFirstToken: Double?
    /// Seconds: of the model calls (a call), of the step (a step), or of the run, once it ended.
    public var duration: Double?
    public var modelCalls: Int
    /// Whether any call's tokens were counted by agnod rather than reported by the provider.
    public var usageEstimated: Bool

    public init(
        inputTokens: Int = 0, outputTokens: Int = 0, totalTokens: Int? = nil, cost: Double? = nil, timeToFirstToken: Double? = nil,
        duration: Double? = nil, modelCalls: Int = 0, usageEstimated: Bool = false
    ) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.totalTokens = totalTokens ?? inputTokens + outputTokens
        self.cost = cost
        self.timeToFirstToken = timeToFirstToken
        self.duration = duration
        self.modelCalls = modelCalls
        self.usageEstimated = usageEstimated
    }

    /// Adds another call's or step's tokens and cost; the first time to first token stays; durations are not added
    /// (a step's or a run's duration is its own wall time, parallel branches overlap).
    public mutating func add(_ other: RunMetrics) {
        inputTokens += other.inputTokens
        outputTokens += other.outputTokens
        totalTokens += other.totalTokens
        if let c = other.cost { cost = (cost ?? 0) + c }
        if timeToFirstToken == nil { timeToFirstToken = other.timeToFirstToken }
        modelCalls += other.modelCalls
        usageEstimated = usageEstimated || other.usageEstimated
    }

    public var json: JSONValue {
        .compactObject([
            ("input_tokens", .int(inputTokens)), ("output_tokens", .int(outputTokens)), ("total_tokens", .int(totalTokens)),
            ("cost", cost.map { .double(Self.rounded($0, places: 8)) }),
            ("time_to_first_token", timeToFirstToken.map { .double(Self.rounded($0, places: 6)) }),
            ("duration", duration.map { .double(Self.rounded($0, places: 6)) }), ("model_calls", .int(modelCalls)),
            ("usage_estimated", usageEstimated ? .bool(true) : nil),
        ])
    }

    public init?(json: JSONValue) {
        guard json["total_tokens"]?.intValue != nil || json["input_tokens"]?.intValue != nil else { return nil }
        self.init(
            inputTokens: json["input_tokens"]?.intValue ?? 0, outputTokens: json["output_tokens"]?.intValue ?? 0,
            totalTokens: json["total_tokens"]?.intValue, cost: json["cost"]?.doubleValue,
            timeToFirstToken: json["time_to_first_token"]?.doubleValue, duration: json["duration"]?.doubleValue,
            modelCalls: json["model_calls"]?.intValue ?? 0, usageEstimated: json["usage_estimated"]?.boolValue ?? false)
    }

    static func rounded(_ value: Double, places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}
