import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct ModelFailureTests {
    func run(_ script: ModelScript) async throws -> (StreamCapture, String) {
        let server = ScriptedModelServer(script)
        let h = try await Harness(models: ["m": server], workflows: ["w.yaml": Fixtures.twoStep("w", first: "m:x", second: "m:x")])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("w", input: "go")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        return (cap, h.daemon.logText)
    }

    func expectFailed(_ cap: StreamCapture, mentioning needles: [String]) {
        #expect(cap.end?.status == .error)
        #expect(cap.names.suffix(3) == ["RunError", "StepError", "WorkflowError"])
        let error = cap.end?.error ?? ""
        for needle in needles { #expect(error.contains(needle), "error '\(error)' should mention '\(needle)'") }
        #expect(cap.end?.steps[0].status == .error && cap.end?.steps[1].status == .pending)
    }

    @Test func http500FailsTheRunNamingProviderURLAndStatus() async throws {
        let (cap, _) = try await run(.httpError(status: 500, body: #"{"error":{"message":"boom"}}"#))
        expectFailed(cap, mentioning: ["'m'", "/v1/chat/completions", "HTTP 500", "boom"])
    }

    @Test func http429SaysRateLimited() async throws {
        let (cap, _) = try await run(.httpError(status: 429, body: "slow down"))
        expectFailed(cap, mentioning: ["HTTP 429", "rate limited"])
    }

    @Test func aBrokenStreamFailsTheRun() async throws {
        let (cap, _) = try await run(.broken(after: ["half ", "a "]))
        expectFailed(cap, mentioning: ["'m'"])
        #expect(cap.end?.steps[0].content == "half a ")
    }

    @Test func connectionRefusedNamesTheURLAndWhatToCheck() async throws {
        let h = try await Harness(models: [:], workflows: ["w.yaml": Fixtures.oneStep("w", model: "local:x")], extraProviders: ["local": "http://127.0.0.1:9/v1"])
        defer { h.shutdownNow() }
        let result = try h.daemon.agnoctl(["run", "w", "hello"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("http://127.0.0.1:9/v1/chat/completions"))
        #expect(result.stderr.contains("refused"))
        #expect(result.stderr.contains("systemctl status agnod-model"))
    }

    @Test func anAPIKeyEchoedByTheServerNeverReachesEventsRepliesOrLogs() async throws {
        let key = "sk-test-SECRET-0123456789abcdef"
        let server = ScriptedModelServer { _, _ in .httpError(status: 401, body: #"{"error":{"message":"Incorrect API key provided: \#(key)"}}"#) }
        try await server.start()
        let daemon = try TestDaemon(providers: [:], workflows: ["w.yaml": Fixtures.oneStep("w", model: "secure:x")],
                                    extra: [("providers", .object([("secure", .object([("base_url", .string(server.baseURL)), ("api_key_env", "AGNOD_TEST_KEY")]))]))])
        try daemon.start(environment: ["AGNOD_TEST_KEY": key])
        defer { daemon.stop(); Task { await server.stop() } }
        let result = try daemon.agnoctl(["run", "--json", "w", "hi"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("HTTP 401"))
        #expect(!result.stdout.contains("SECRET") && !result.stderr.contains("SECRET"))
        #expect(!daemon.logText.contains("SECRET"))
        let status = try daemon.agnoctl(["list", "--json"])
        #expect(!status.stdout.contains("SECRET"))
        // The key was sent to the model server, so the failure is the server's answer, not a missing key.
        #expect(server.stats.requests.count == 1)
    }

    @Test func aStepWithOnErrorSkipDoesNotFailTheRun() async throws {
        let server = ScriptedModelServer { _, index in index == 0 ? .httpError(status: 503, body: "down") : .text(["fine"]) }
        let wf = Fixtures.twoStep("w", first: "m:x", second: "m:x").replacingOccurrences(of: "    description: Research the topic", with: "    description: Research the topic\n    on_error: skip")
        let h = try await Harness(models: ["m": server], workflows: ["w.yaml": wf])
        defer { h.shutdownNow() }
        let c = try h.connect()
        let (_, id) = try c.startStreaming("w", input: "original input")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed, "\(cap.end?.error ?? "")")
        #expect(cap.end?.steps.map(\.status) == [.error, .completed])
        // The skipped step passes its own input on.
        #expect(server.stats.requests[1]["messages"]?.arrayValue?.last?["content"]?.stringValue == "original input")
    }
}
