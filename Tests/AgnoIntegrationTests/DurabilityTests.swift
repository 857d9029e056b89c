import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// The run table survives agnod: SIGKILL mid-run and restart, concurrent writers, slow readers, retention.
@Suite(.serialized) struct DurabilityTests {
    /// Reads raw frames for `id` until `count` events have arrived.
    func events(_ c: AgnoConnection, _ id: RequestID, count: Int) throws -> [[UInt8]] {
        var lines: [[UInt8]] = []
        while lines.count < count {
            let raw = try c.rawReply(for: id)
            guard case .event = raw.reply else { throw TestError("expected an event, got \(String(decoding: raw.line, as: UTF8.self))") }
            lines.append(raw.line)
        }
        return lines
    }

    func decode(_ line: [UInt8]) throws -> Reply {
        guard let reply = Reply(json: try JSONValue.parse(line)) else {
            throw TestError("not a reply: \(String(decoding: line, as: UTF8.self))")
        }
        return reply
    }

    /// With `on_restart: error` (the behaviour before durable resume), an interrupted run ends ERROR.
    @Test func afterSIGKILLAndARestartNothingAcknowledgedIsLostAndTheInterruptedRunEndsError() async throws {
        let h = try await Harness(
            models: ["fast": .fast("done", count: 30), "slow": .slow("tick", ms: 15, count: 5000)],
            workflows: [
                "quick.yaml": Fixtures.oneStep("quick", model: "fast:m"),
                "long.yaml": Fixtures.twoStep("long", first: "slow:m", second: "slow:m", extra: "on_restart: error"),
            ])
        defer { h.shutdownNow() }
        let id = RequestID.string("same")

        // A run that finished before the crash, and the frames its client saw.
        let c = try h.connect()
        try c.send(.start(StartRequest(workflow: "quick", input: "x", stream: true, runID: "finished-1")), id: id)
        let finishedLive = Array(try c.rawFrames(id).dropFirst())  // events and end, without start's result

        // A run streaming when agnod is killed; its client has seen 25 events.
        let d = try h.connect()
        try d.send(.start(StartRequest(workflow: "long", input: "y", stream: true, runID: "interrupted-1")), id: id)
        _ = try d.rawReply(for: id)  // start's result
        let seen = try events(d, id, count: 25)
        h.daemon.kill()
        #expect(throws: ClientError.self) { try d.nextRawLine() }

        try h.daemon.start()
        #expect(h.daemon.logText.contains("run interrupted"))
        let e = try h.connect()

        // The finished run replays byte for byte, its end included.
        try e.send(.stream(StreamRequest(runID: "finished-1")), id: id)
        #expect(try e.rawFrames(id) == finishedLive)

        // The interrupted run: what its client saw is a prefix, then an ERROR end with the reason; seq has no gap.
        try e.send(.stream(StreamRequest(runID: "interrupted-1")), id: id)
        let replay = try e.rawFrames(id)
        #expect(Array(replay.prefix(25)) == seen)
        let replies = try replay.map(decode)
        let seqs = replies.compactMap { r -> Int? in if case .event(_, let seq, _) = r { seq } else { nil } }
        #expect(seqs == Array(1...seqs.count))
        guard case .event(_, _, let final)? = replies.dropLast().last, case .end(_, let run)? = replies.last else {
            Issue.record("no final event and end")
            return
        }
        #expect(final["event"]?.stringValue == "WorkflowError")
        #expect(final["error"]?.stringValue == "interrupted: agnod stopped while the run was running")
        #expect(run.status == .error)
        #expect(run.error == "interrupted: agnod stopped while the run was running")
        #expect(run.lastSeq == seqs.count)
        #expect(run.steps.first?.status == .error)

        // Re-attaching from a seq gets exactly the rest.
        try e.send(.stream(StreamRequest(runID: "interrupted-1", afterSeq: 10)), id: id)
        #expect(try e.rawFrames(id) == Array(replay.dropFirst(10)))

        // status and agnoctl agree.
        let status = try h.daemon.agnoctl(["status", "interrupted-1"])
        #expect(status.stdout.contains("ERROR"), "\(status.stdout)\(status.stderr)")
        #expect(status.stdout.contains("interrupted: agnod stopped while the run was running"))
    }

    @Test func aRunWaitingInTheQueueWhenAgnodIsKilledIsThereAfterwardsEndedError() async throws {
        let h = try await Harness(
            models: ["stall": .stalling()], workflows: ["hang.yaml": Fixtures.oneStep("hang", model: "stall:m") + "\non_restart: error\n"],
            limits: ["active_runs": 1])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let running = try c.resultOf(.start(StartRequest(workflow: "hang", input: "first", runID: "first")))
        let queued = try c.resultOf(.start(StartRequest(workflow: "hang", input: "second", runID: "second")))
        #expect(running["status"]?.stringValue == "PENDING" || running["status"]?.stringValue == "RUNNING")
        #expect(queued["status"]?.stringValue == "PENDING")
        // Accepted means stored: kill at once, before anything else happens to it.
        h.daemon.kill()
        try h.daemon.start()
        let d = try h.connect()
        let second = try d.resultOf(.status(StatusRequest(runID: "second")))
        #expect(second["status"]?.stringValue == "ERROR")
        #expect(second["error"]?.stringValue == "interrupted: agnod stopped before the run started")
        #expect(second["input"]?.stringValue == "second")
        let sid = try d.send(.stream(StreamRequest(runID: "second")))
        var cap = StreamCapture()
        try d.capture(sid, into: &cap)
        #expect(cap.names == ["WorkflowError"])
        #expect(cap.end?.status == .error)
        #expect(try d.resultOf(.status(StatusRequest(runID: "first")))["status"]?.stringValue == "ERROR")
    }

    @Test func aHundredRunsWritingAtOnceAreEachStoredGaplessAndReplayIdenticallyAfterARestart() async throws {
        let runs = 100
        let chunks = 40
        let h = try await Harness(
            models: ["m": ScriptedModelServer(.words("w", count: chunks, delay: .milliseconds(5)))],
            workflows: ["one.yaml": Fixtures.oneStep("one", model: "m:x")],
            limits: ["active_runs": runs, "active_runs_per_user": runs, "requests_per_connection": 4 * runs])
        defer { h.shutdownNow() }
        let c = try h.connect()
        // Start them all with streams on one connection, then read every stream to its end.
        var requests: [RequestID: String] = [:]
        for i in 0..<runs {
            let id = try c.send(.start(StartRequest(workflow: "one", input: "run \(i)", stream: true, runID: "many-\(i)")))
            requests[id] = "many-\(i)"
        }
        var frames: [RequestID: [[UInt8]]] = [:]
        var ended = 0
        while ended < runs {
            let raw = try c.nextRawReply()
            let id = raw.reply.id
            switch raw.reply {
            case .result: continue
            case .event: frames[id, default: []].append(raw.line)
            case .end:
                frames[id, default: []].append(raw.line)
                ended += 1
            case .error(_, let error): throw error
            }
        }
        let expectedEvents = 3 + chunks + 3
        for (id, lines) in frames {
            let replies = try lines.map(decode)
            let seqs = replies.compactMap { r -> Int? in if case .event(_, let seq, _) = r { seq } else { nil } }
            #expect(seqs == Array(1...expectedEvents), "\(requests[id]!)")
            guard case .end(_, let run)? = replies.last else {
                Issue.record("\(requests[id]!) has no end")
                continue
            }
            #expect(run.status == .completed)
        }

        h.daemon.stop()
        try h.daemon.start()
        let r = try h.connect()
        for (id, runID) in requests {
            try r.send(.stream(StreamRequest(runID: runID)), id: id)
            #expect(try r.rawFrames(id) == frames[id]!, "\(runID)")
        }
    }

    @Test func aReaderThatNeverReadsCostsBoundedMemoryAndDoesNotHoldUpTheRun() async throws {
        // 2 × 25,000 chunks: over 50,000 events, about 15 MB of frames, for a reader that reads nothing (the
        // allocator's own slack, a few MB either way, stays well below half of that).
        let chunks = 25_000
        let h = try await Harness(
            models: ["m": ScriptedModelServer(.words("token", count: chunks))],
            workflows: ["big.yaml": Fixtures.twoStep("big", first: "m:x", second: "m:x")],
            limits: ["subscriber_buffer": 256],
            // Without the shared page cache: when the watcher below falls behind too, both readers read the same
            // pages and the cache keeps them (by design, up to its budget), which is not what this measures.
            extra: [("store", .object([("page_cache_mb", .int(0))]))])
        defer { h.shutdownNow() }
        // Warm up: one such run with an attentive reader, so caches and allocator pools are at their size.
        let warm = try h.connect()
        let (_, warmID) = try warm.startStreaming("big", input: "warm-up")
        var warmCapture = StreamCapture()
        try warm.capture(warmID, into: &warmCapture)
        #expect(warmCapture.end?.status == .completed)
        let before = try #require(h.daemon.residentKiB())

        let stalled = try h.connect()
        let (runID, stalledID) = try stalled.startStreaming("big", input: "stalled reader")
        // The run ends while its first reader reads nothing: a second reader sees the end.
        let watcher = try h.connect()
        let wid = try watcher.send(.stream(StreamRequest(runID: runID)))
        var watched = StreamCapture()
        try watcher.capture(wid, into: &watched)
        #expect(watched.end?.status == .completed)
        let frameBytes = watched.events.count * 300
        let after = try #require(h.daemon.residentKiB())
        let grownKiB = after - before
        print(
            "bounded reader: agnod RSS \(before) KiB -> \(after) KiB while \(frameBytes / 1024) KiB of frames flowed past a reader that read nothing"
        )
        // Buffering the stalled reader's frames would cost more than all of them; bounded costs little.
        #expect(grownKiB * 1024 < frameBytes / 2, "RSS grew \(grownKiB) KiB while \(frameBytes / 1024) KiB of frames flowed")

        // The stalled reader then gets everything, once, in order: it caught up from the store.
        var late = StreamCapture()
        try stalled.capture(stalledID, into: &late)
        #expect(late.seqs == Array(1...watched.events.count))
        #expect(late.end?.status == .completed)
    }

    @Test func retentionDeletesTheOldestFinishedRunsAndSaysHowMany() async throws {
        let h = try await Harness(
            models: ["fast": .fast("x", count: 3)], workflows: ["quick.yaml": Fixtures.oneStep("quick", model: "fast:m")],
            extra: [("retention", .object([("max_runs", .int(2)), ("interval", .string("1s"))]))])
        defer { h.shutdownNow() }
        let c = try h.connect()
        for i in 1...4 {
            let (_, id) = try c.startStreaming("quick", input: "\(i)", runID: "kept-\(i)")
            var cap = StreamCapture()
            try c.capture(id, into: &cap)
        }
        #expect(h.daemon.waitForLog("retention removed 2 finished runs"))
        let list = try c.resultOf(.list(ListRequest()))
        let ids = list["runs"]?.arrayValue?.compactMap { $0["run_id"]?.stringValue }
        #expect(ids == ["kept-4", "kept-3"])
        #expect(try c.errorOf(.status(StatusRequest(runID: "kept-1"))).code == .notFound)
    }

    @Test func agnoctlRmDeletesAFinishedRunAndRefusesARunningOne() async throws {
        let h = try await Harness(
            models: ["fast": .fast("x", count: 3), "stall": .stalling()],
            workflows: ["quick.yaml": Fixtures.oneStep("quick", model: "fast:m"), "hang.yaml": Fixtures.oneStep("hang", model: "stall:m")])
        defer { h.shutdownNow() }
        let done = try h.daemon.agnoctl(["run", "quick", "input", "--run-id", "to-remove"])
        #expect(done.status == 0)
        let hanging = try h.daemon.agnoctl(["run", "hang", "input", "--detach", "--run-id", "still-running"])
        #expect(hanging.status == 0)
        let refused = try h.daemon.agnoctl(["rm", "still-running"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("cancel it before removing it"), "\(refused.stderr)")
        let removed = try h.daemon.agnoctl(["rm", "to-remove"])
        #expect(removed.status == 0, "\(removed.stderr)")
        let status = try h.daemon.agnoctl(["status", "to-remove"])
        #expect(status.status != 0)
        #expect(status.stderr.contains("no run 'to-remove'"), "\(status.stderr)")
        // And it stays gone after a restart (it was deleted from the store, not just from memory).
        h.daemon.stop()
        try h.daemon.start()
        #expect(try h.daemon.agnoctl(["status", "to-remove"]).status != 0)
        #expect(try h.daemon.agnoctl(["status", "still-running"]).stdout.contains("CANCELLED"))  // SIGTERM cancels it
    }
}
