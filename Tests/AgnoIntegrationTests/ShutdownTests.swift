import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// SIGTERM: `shutdown_grace` bounds the stop. Runs still going after it are cancelled and stored, and agnod
/// exits 0, also when a model stalls (systemd would otherwise SIGKILL it after TimeoutStopSec).
@Suite struct ShutdownTests {
    @Test func aStalledModelDoesNotKeepAgnodFromExitingAfterTheGrace() async throws {
        let h = try await Harness(
            models: ["stall": .stalling()], workflows: ["hang.yaml": Fixtures.oneStep("hang", model: "stall:m")],
            extra: [("shutdown_grace", .string("2s"))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (runID, id) = try c.startStreaming("hang", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.names.contains("RunContent") }
        // 2 s of grace, then the cancel; 20 s is far beyond what a bounded stop needs.
        let status = h.daemon.stop(within: 20)
        #expect(status == 0, "agnod did not exit within 20 s of SIGTERM with a 2 s grace")
        // The run was cancelled and stored, not left to end "interrupted".
        try h.daemon.start()
        let d = try h.connect()
        let summary = try #require(RunSummary(json: try d.resultOf(.status(StatusRequest(runID: runID)))))
        #expect(summary.status == .cancelled, "\(summary.status) \(summary.error ?? "")")
        #expect(summary.cancelledBy == "agnod")
    }
}
