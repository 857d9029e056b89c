import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct WorkflowFileTests {
    @Test func aBadWorkflowFileIsReportedWithFileLineAndReasonAndTheOthersAreServed() async throws {
        let bad = "name: broken\nagents:\n  a:\n    model: default\nsteps:\n  - agent: nobody\n"
        let h = try await Harness(models: ["m": .fast()], workflows: ["good.yaml": Fixtures.oneStep("good", model: "m:x"), "broken.yaml": bad, "notes.txt": "ignored"])
        defer { h.shutdownNow() }
        let names = try h.connect().resultOf(.workflows(WorkflowsRequest()))["workflows"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
        #expect(names == ["good"])
        #expect(h.daemon.logText.contains("broken.yaml:6:"))
        #expect(h.daemon.logText.contains("nobody"))
    }

    @Test func aBadConfigurationFileStopsTheDaemonWithFileLineAndReason() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agnod-badcfg-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("agnod.yaml").path
        try "socket: /tmp/x.sock\nlimits:\n  active_runs: lots\n".write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runProcess(Binaries.agnod, ["--config", path])
        #expect(result.status == 78)
        #expect(result.stderr.contains("agnod.yaml:3:"))
        #expect(result.stderr.contains("active_runs"))
    }
}
