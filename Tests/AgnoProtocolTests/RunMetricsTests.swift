import AgnoProtocol
import Testing

@Suite struct RunMetricsTests {
    @Test func addingSumsTokensAndCostKeepsTheFirstTimeToFirstTokenAndNotDurations() {
        var run = RunMetrics(inputTokens: 10, outputTokens: 5, cost: nil, timeToFirstToken: 0.2, duration: 1, modelCalls: 1)
        run.add(
            RunMetrics(inputTokens: 3, outputTokens: 4, cost: 0.5, timeToFirstToken: 0.1, duration: 9, modelCalls: 2, usageEstimated: true))
        #expect(run.inputTokens == 13 && run.outputTokens == 9 && run.totalTokens == 22 && run.modelCalls == 3)
        #expect(run.cost == 0.5 && run.timeToFirstToken == 0.2 && run.duration == 1 && run.usageEstimated)
    }

    @Test func itsJSONIsAgnosFieldsAndReadsBack() throws {
        let m = RunMetrics(inputTokens: 1, outputTokens: 2, cost: 0.123456789, timeToFirstToken: 0.0012345678, duration: 3, modelCalls: 1)
        let json = m.json
        #expect(json.encodedString.hasPrefix(#"{"input_tokens":1,"output_tokens":2,"total_tokens":3,"cost":0.12345679,"#))
        #expect(json["usage_estimated"] == nil)
        let back = try #require(RunMetrics(json: json))
        #expect(back.totalTokens == 3 && back.cost == 0.12345679 && back.timeToFirstToken == 0.001235 && back.modelCalls == 1)
        #expect(RunMetrics(json: .object([("x", 1)])) == nil)
    }
}
