import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// The store's filesystem fills up while a run streams (a small tmpfs; needs root to mount it, as CI is):
/// the run stops with the store's error, every stream of it ends (none spins waiting for a state that can
/// no longer be stored), `start` says why it cannot store, and after a restart nothing stored before is lost.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to mount a tmpfs"))
struct StoreFaultTests {
    @Test func aFullDiskStopsTheRunWithAClearErrorAndEveryStreamOfItEnds() async throws {
        let model = ScriptedModelServer.slow("tick", ms: 5, count: 1500)
        try await model.start()
        defer { model.close() }
        let daemon = try TestDaemon(providers: ["s": model.baseURL], workflows: ["long.yaml": Fixtures.oneStep("long", model: "s:m")])
        let state = daemon.directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let mount = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", state.path])
        try #require(mount.status == 0, "mount: \(mount.stderr)")
        defer { _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), ["-l", state.path]) }
        try daemon.start()
        defer { daemon.stop() }

        let c = try daemon.connect()
        let (runID, id) = try c.startStreaming("long", input: "x")
        var cap = StreamCapture()
        try c.capture(id, into: &cap) { $0.events.count >= 50 }
        // Fill the filesystem.
        let filler = state.appendingPathComponent("filler")
        _ = try runProcess(URL(fileURLWithPath: "/bin/dd"), ["if=/dev/zero", "of=\(filler.path)", "bs=64k"])
        // The streaming client gets to an end (no hang), and the run says the store failed.
        try c.capture(id, into: &cap)
        let end = try #require(cap.end, "the stream ended without end: \(String(describing: cap.error))")
        #expect(end.status == .cancelled || end.status == .error)
        #expect(
            end.error?.contains("run store failed") == true || end.steps.contains { $0.error?.contains("store") == true }
                || cap.events.last?.event["reason"]?.stringValue?.contains("the run store failed") == true, "\(end)")
        #expect(cap.seqs == Array(1...cap.events.count))
        let seen = cap.events.count

        // A new stream of it ends too, at once.
        let d = try daemon.connect()
        let sid = try d.send(.stream(StreamRequest(runID: runID)))
        var again = StreamCapture()
        try d.capture(sid, into: &again)
        #expect(again.end != nil || again.error?.code == .internal, "\(again)")

        // A new run cannot be stored: a clear error, not a run that silently goes nowhere.
        let refused = try d.errorOf(.start(StartRequest(workflow: "long", input: "y")))
        #expect(refused.code == .internal && refused.message.contains("could not store the run"), "\(refused)")

        // Room again, and a restart: what was stored is there, seq without a gap, and the run goes on.
        try FileManager.default.removeItem(at: filler)
        daemon.kill()
        try daemon.start()
        let e = try daemon.connect()
        let rid = try e.send(.stream(StreamRequest(runID: runID)))
        var after = StreamCapture()
        try e.capture(rid, into: &after)
        #expect(after.seqs == Array(1...after.events.count))
        #expect(after.events.count > 0 && after.events.count <= seen + 1500 + 20)
        #expect(after.end?.status.isTerminal == true, "\(String(describing: after.end))")
    }
}
