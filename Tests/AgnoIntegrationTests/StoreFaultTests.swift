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
        let mount = try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", state.path])
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
        // The streaming client's stream ends (no hang) with the store's error: every event it got is stored,
        // and it is told the run stopped there and goes on after a restart.
        try c.capture(id, into: &cap)
        let stopped = try #require(cap.error, "the stream did not end with the store's error: \(String(describing: cap.end))")
        #expect(stopped.code == .unavailable)
        #expect(
            stopped.message.contains("the run store failed") && stopped.message.contains("stopped after seq \(cap.events.count)"),
            "\(stopped.message)")
        #expect(cap.seqs == Array(1...cap.events.count))
        let seen = cap.events

        // A new stream of it ends too, at once, the same way; status says why it stopped.
        let d = try daemon.connect()
        let sid = try d.send(.stream(StreamRequest(runID: runID)))
        var again = StreamCapture()
        try d.capture(sid, into: &again)
        #expect(again.error?.code == .unavailable, "\(again)")
        let status = try #require(RunSummary(json: try d.resultOf(.status(StatusRequest(runID: runID)))))
        #expect(status.error?.contains("goes on when agnod restarts") == true, "\(status)")

        // A new run cannot be stored: `unavailable`, to be tried again, not a run that silently goes nowhere.
        let refused = try d.errorOf(.start(StartRequest(workflow: "long", input: "y")))
        #expect(
            refused.code == .unavailable && refused.message.contains("could not store the run") && refused.retryAfterMs != nil, "\(refused)"
        )

        // Room again, and a restart: what was seen is what is stored, and the run goes on to its end.
        try FileManager.default.removeItem(at: filler)
        daemon.kill()
        try daemon.start()
        let e = try daemon.connect()
        let rid = try e.send(.stream(StreamRequest(runID: runID)))
        var after = StreamCapture()
        try e.capture(rid, into: &after)
        #expect(after.seqs == Array(1...after.events.count))
        for (live, stored) in zip(seen, after.events) { #expect(live.event == stored.event, "seq \(live.seq) changed") }
        #expect(after.end?.status == .completed, "\(String(describing: after.end)) \(String(describing: after.error))")
        #expect(after.events.contains { $0.event["resumed"]?.boolValue == true })
    }
}
