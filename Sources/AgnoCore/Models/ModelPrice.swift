import AgnoProtocol

/// What a model's tokens cost, per million (`providers.NAME.prices.MODEL: {input: 2.5, output: 10}`), in whatever
/// currency the operator writes them in.
public struct ModelPrice: Sendable, Equatable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    public func cost(of metrics: RunMetrics) -> Double {
        (Double(metrics.inputTokens) * inputPerMillion + Double(metrics.outputTokens) * outputPerMillion) / 1_000_000
    }
}
