import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct ConnectionTests {
    @Test func severalRequestsInFlightOnOneConnectionAreAnsweredByID() async throws {
        let h = try await Harness(models: ["slow": .slow("w", ms: 3, count: 100)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "slow:m")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        // Two streaming starts and a few quick requests, all sent before reading anything.
        let s1 = try c.send(.start(StartRequest(workflow: "s", input: "one", stream: true)), id: .string("s1"))
        let s2 = try c.send(.start(StartRequest(workflow: "s", input: "two", stream: true)), id: .string("s2"))
        let hello = try c.send(.hello(HelloRequest()), id: .int(3))
        let wfs = try c.send(.workflows(WorkflowsRequest()), id: .int(4))
        guard case .result(_, let helloResult) = try c.reply(for: hello) else { Issue.record("hello"); return }
        #expect(helloResult["server"]?.stringValue?.hasPrefix("agnod/") == true)
        guard case .result(_, let wfResult) = try c.reply(for: wfs) else { Issue.record("workflows"); return }
        #expect(wfResult["workflows"]?.arrayValue?.first?["steps"] == .array(["only"]))
        var a = StreamCapture(), b = StreamCapture()
        try c.capture(s1, into: &a)
        try c.capture(s2, into: &b)
        #expect(a.end?.status == .completed && b.end?.status == .completed)
        #expect(a.seqs == Array(1...a.events.count) && b.seqs == Array(1...b.events.count))
        #expect(a.end?.runID != b.end?.runID)
    }

    @Test func anIDCanBeReusedAsSoonAsItsLastReplyIsRead() async throws {
        let h = try await Harness(models: ["m": .fast("w", count: 3)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "m:x")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        // The next request goes out the moment the last reply of the previous one is read, on the same id.
        for _ in 0..<100 {
            let id = try c.send(.hello(HelloRequest()), id: .string("same"))
            guard case .result = try c.reply(for: id) else { Issue.record("hello refused"); return }
        }
        for _ in 0..<20 {
            let id = try c.send(.start(StartRequest(workflow: "s", input: "x", stream: true)), id: .string("same"))
            var cap = StreamCapture()
            try c.capture(id, into: &cap)
            #expect(cap.end?.status == .completed, "\(cap.error.map { "\($0)" } ?? "")")
        }
    }

    @Test func aRequestIDAlreadyInFlightIsRefused() async throws {
        let h = try await Harness(models: ["stall": .stalling()], workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let id = try c.send(.start(StartRequest(workflow: "s", input: "one", stream: true)), id: .string("same"))
        guard case .result = try c.reply(for: id) else { Issue.record("start"); return }
        try c.send(.hello(HelloRequest()), id: .string("same"))
        var sawRefusal = false
        while !sawRefusal {
            if case .error(.string("same"), let e) = try c.reply(for: id) {
                #expect(e.code == .badRequest && e.message.contains("in flight"))
                sawRefusal = true
            }
        }
    }

    @Test func aReaderThatNeverReadsDoesNotHoldUpTheRunOrOthersAndCatchesUpLater() async throws {
        // A tiny live buffer, so the reader surely falls behind it and has to catch up from the store.
        let h = try await Harness(models: ["m": .fast("x", count: 3000)], workflows: ["s.yaml": Fixtures.oneStep("s", model: "m:y")],
                                  limits: ["subscriber_buffer": 16])
        defer { h.shutdownNow() }
        let lazy = try h.connect()
        let (runID, lazyID) = try lazy.startStreaming("s", input: "go")  // and then does not read
        let other = try h.connect()
        let sid = try other.send(.stream(StreamRequest(runID: runID)))
        var cap = StreamCapture()
        try other.capture(sid, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.events.count == 3006)
        // The lazy reader now reads everything: no gap, no duplicate, then end.
        var late = StreamCapture()
        try lazy.capture(lazyID, into: &late)
        #expect(late.seqs == Array(1...3006))
        #expect(late.end?.status == .completed)
    }
}
