import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// A model's answer that arrives in many small network reads, faster than agnod takes them: the HTTP client
/// stops reading while the run catches up and reads on when asked. A lost "read on" left a stream waiting
/// until its read timeout (seen once in 50 runs of the 13-step benchmark workflow).
@Suite struct StreamBackpressureTests {
    @Test func manySmallReadsStreamWholeOnManyRunsAtOnce() async throws {
        // Each chunk flushed on its own: hundreds of body parts per answer, more than the client buffers.
        let server = ScriptedModelServer(.words("w", count: 600, delay: .nanoseconds(1)))
        let h = try await Harness(
            models: ["m": server], workflows: ["w.yaml": Fixtures.twoStep("w", first: "m:x", second: "m:x")],
            providerSettings: ["m": [("read_timeout", 5)]])
        defer { h.shutdownNow() }
        let runs = 24
        let results = try await withThrowingTaskGroup(of: StreamCapture.self) { group in
            for _ in 0..<runs {
                group.addTask {
                    let c = try h.connect()
                    let (_, id) = try c.startStreaming("w", input: "go")
                    var cap = StreamCapture()
                    try c.capture(id, into: &cap)
                    return cap
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == runs)
        for cap in results {
            #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "no end")")
            #expect(cap.names.filter { $0 == "RunContent" }.count == 1200)
        }
    }
}
