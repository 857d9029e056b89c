import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// The metrics of a known set of runs, read by a real Prometheus text parser (prometheus_client, from PyPI:
/// scripts/setup-observability-oracle.sh) from the HTTP endpoint (Unix socket and loopback TCP) and from the
/// `metrics` op.
@Suite(.serialized) struct MetricsTests {
    static let python = ProcessInfo.processInfo.environment["AGNOD_OBS_PYTHON"]
    static let oracle = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/observability-oracle.py").path

    /// One parsed sample: name, labels, value.
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// What the oracle read: the response's content type and every sample.
    struct Scrape {
        var contentType: String?
        var samples: [Sample]

        /// The value of the sample with this name whose labels include `labels` (nil when there is none).
        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
    }

    static func scrape(_ arguments: [String], stdin: String? = nil) throws -> Scrape {
        let python = try #require(python, "set AGNOD_OBS_PYTHON (scripts/setup-observability-oracle.sh)")
        let result = try runProcess(URL(fileURLWithPath: python), [oracle, "metrics"] + arguments, stdin: stdin)
        guard result.status == 0, let json = try? JSONValue.parse(result.stdout) else {
            throw TestError("the Prometheus parser refused agnod's metrics: \(result.stderr)")
        }
        let samples = (json["samples"]?.arrayValue ?? []).compactMap { s -> Sample? in
            guard let a = s.arrayValue, a.count == 3, let name = a[0].stringValue, let value = a[2].doubleValue else { return nil }
            let labels = (a[1].objectValue ?? []).reduce(into: [String: String]()) { $0[$1.0] = $1.1.stringValue ?? "" }
            return Sample(name: name, labels: labels, value: value)
        }
        return Scrape(contentType: json["content_type"]?.stringValue, samples: samples)
    }

    /// Scrapes until `ready` holds (a run's end reaches its reader just before the daemon counts it), for at
    /// most 10 s; returns the last scrape either way, so the test's expectations say what was missing.
    static func scrape(_ arguments: [String], until ready: (Scrape) -> Bool) throws -> Scrape {
        let deadline = ContinuousClock.now + .seconds(10)
        var last = try scrape(arguments)
        while !ready(last), ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            last = try scrape(arguments)
        }
        return last
    }

    static var userName: String { String(cString: getpwuid(getuid())!.pointee.pw_name) }

    @Test(.enabled(if: python != nil, "set AGNOD_OBS_PYTHON (scripts/setup-observability-oracle.sh)"))
    func theEndpointAndTheOpCountAKnownSetOfRuns() async throws {
        let endpoint = NSTemporaryDirectory() + "agnod-metrics-\(UUID().uuidString.prefix(8)).sock"
        let fast = ScriptedModelServer.fast("dragon", count: 40)
        let h = try await Harness(
            models: [
                "fast": fast, "bad": ScriptedModelServer(.httpError(status: 500, body: #"{"error":{"message":"boom"}}"#)),
                "stall": .stalling(),
            ],
            workflows: [
                "article.yaml": Fixtures.twoStep("article", first: "fast:m", second: "fast:m"),
                "failing.yaml": Fixtures.oneStep("failing", model: "bad:m"), "stall.yaml": Fixtures.oneStep("stall", model: "stall:m"),
            ],
            limits: ["active_runs_per_user": 1], extra: [("metrics", .object([("listen", .string(endpoint))]))],
            providerSettings: ["fast": [("prices", .object([("m", .object([("input", 1), ("output", 2)]))]))]])
        defer { h.shutdownNow() }
        let c = try h.connect()
        func runToEnd(_ workflow: String) throws -> RunSummary? {
            let (_, id) = try c.startStreaming(workflow, input: "A dragon learns to code")
            var cap = StreamCapture()
            try c.capture(id, into: &cap)
            return cap.end
        }
        for _ in 0..<3 { #expect(try runToEnd("article")?.status == .completed) }
        for _ in 0..<2 { #expect(try runToEnd("failing")?.status == .error) }
        // One run cancelled while it streams; then one RUNNING and one waiting for its user's only slot.
        let (cancelled, cid) = try c.startStreaming("stall", input: "x")
        var cap = StreamCapture()
        try c.capture(cid, into: &cap) { $0.names.contains("RunContent") }
        _ = try h.connect().resultOf(.cancel(CancelRequest(runID: cancelled)))
        try c.capture(cid, into: &cap)
        #expect(cap.end?.status == .cancelled)
        let (running, rid) = try c.startStreaming("stall", input: "y")
        var live = StreamCapture()
        try c.capture(rid, into: &live) { $0.names.contains("RunContent") }
        let queued = try h.connect().resultOf(.start(StartRequest(workflow: "stall", input: "z")))
        #expect(queued["status"]?.stringValue == "PENDING")

        let http = try Self.scrape(["--unix", endpoint]) {
            $0.value("agnod_runs_finished_total", ["workflow": "stall", "status": "CANCELLED"]) == 1
        }
        #expect(http.contentType == "text/plain; version=0.0.4; charset=utf-8")
        let op = try h.connect().resultOf(.metrics(MetricsRequest()))
        #expect(op["content_type"]?.stringValue == http.contentType)
        let viaOp = try Self.scrape(["--stdin"], stdin: try #require(op["text"]?.stringValue))
        // OpenMetrics 1.0 when asked (Prometheus's Accept header; the op's format), read by the OpenMetrics parser.
        let open = try Self.scrape(["--unix", endpoint, "--openmetrics"])
        #expect(open.contentType == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        let openOp = try h.connect().resultOf(.metrics(MetricsRequest(format: .openMetrics)))
        #expect(openOp["text"]?.stringValue?.hasSuffix("# EOF\n") == true)
        let viaOpenOp = try Self.scrape(["--stdin", "--openmetrics"], stdin: try #require(openOp["text"]?.stringValue))
        let user = Self.userName

        for m in [http, viaOp, open, viaOpenOp] {
            #expect(m.value("agnod_runs_started_total", ["workflow": "article"]) == 3)
            #expect(m.value("agnod_runs_started_total", ["workflow": "failing"]) == 2)
            #expect(m.value("agnod_runs_started_total", ["workflow": "stall"]) == 3)
            #expect(m.value("agnod_runs_finished_total", ["workflow": "article", "status": "COMPLETED"]) == 3)
            #expect(m.value("agnod_runs_finished_total", ["workflow": "failing", "status": "ERROR"]) == 2)
            #expect(m.value("agnod_runs_finished_total", ["workflow": "stall", "status": "CANCELLED"]) == 1)
            #expect(m.value("agnod_runs_finished_total", ["workflow": "article", "status": "ERROR"]) == nil)
            #expect(m.value("agnod_run_duration_seconds_count", ["workflow": "article", "status": "COMPLETED"]) == 3)
            #expect(m.value("agnod_run_duration_seconds_bucket", ["workflow": "article", "status": "COMPLETED", "le": "+Inf"]) == 3)
            #expect(m.value("agnod_step_duration_seconds_count", ["workflow": "article", "status": "COMPLETED"]) == 6)
            #expect(m.value("agnod_step_duration_seconds_count", ["workflow": "failing", "status": "ERROR"]) == 2)
            #expect(m.value("agnod_model_request_duration_seconds_count", ["provider": "fast", "model": "m"]) == 6)
            #expect(m.value("agnod_model_time_to_first_token_seconds_count", ["provider": "fast", "model": "m"]) == 6)
            #expect(m.value("agnod_model_errors_total", ["provider": "bad", "model": "m", "kind": "http_500"]) == 2)
            #expect(m.value("agnod_cancel_latency_seconds_count") == 1)
            #expect(m.value("agnod_active_runs", ["user": user]) == 1)
            #expect(m.value("agnod_queued_runs", ["user": user]) == 1)
            #expect((m.value("agnod_store_commit_duration_seconds_count") ?? 0) > 0)
            #expect(m.value("agnod_store_queue_depth") != nil)
            #expect((m.value("agnod_connections") ?? 0) >= 1)
        }
        // Tokens by model: the scripted server's usage, summed over the six calls (each 40 pieces out).
        let prompts = fast.stats.requests.map(ScriptedModelServer.promptTokens).reduce(0, +)
        #expect(http.value("agnod_model_tokens_total", ["provider": "fast", "model": "m", "kind": "output"]) == 240)
        #expect(http.value("agnod_model_tokens_total", ["provider": "fast", "model": "m", "kind": "input"]) == Double(prompts))
        let cost = try #require(http.value("agnod_model_cost_total", ["provider": "fast", "model": "m"]))
        #expect(abs(cost - (Double(prompts) * 1 + 240 * 2) / 1e6) < 1e-9)
        // Settled runs go on counting after a scrape: the RUNNING one cancelled now ends CANCELLED.
        _ = try h.connect().resultOf(.cancel(CancelRequest(runID: running)))
        try c.capture(rid, into: &live)
        let after = try Self.scrape(["--unix", endpoint]) {
            $0.value("agnod_runs_finished_total", ["workflow": "stall", "status": "CANCELLED"]) == 2
        }
        #expect(after.value("agnod_runs_finished_total", ["workflow": "stall", "status": "CANCELLED"]) == 2)
        // The queued run took the freed slot: still one RUNNING, none waiting.
        let active = try Self.scrape(["--unix", endpoint]) { $0.value("agnod_queued_runs", ["user": user]) == 0 }
        #expect(active.value("agnod_active_runs", ["user": user]) == 1 && active.value("agnod_queued_runs", ["user": user]) == 0)
    }

    @Test(.enabled(if: python != nil, "set AGNOD_OBS_PYTHON (scripts/setup-observability-oracle.sh)"))
    func aLoopbackPortServesTheMetricsAndOtherPathsAre404() async throws {
        let h = try await Harness(
            models: ["fast": .fast("owl", count: 3)], workflows: ["one.yaml": Fixtures.oneStep("one", model: "fast:m")],
            extra: [("metrics", .object([("listen", "127.0.0.1:0")]))])
        defer { h.shutdownNow() }
        #expect(h.daemon.waitForLog("metrics endpoint open"))
        let line = try #require(h.daemon.logText.split(separator: "\n").first { $0.contains("metrics endpoint open") })
        let port = try #require(line.firstMatch(of: /port=(\d+)/).map { String($0.1) })
        let c = try h.connect()
        let (_, id) = try c.startStreaming("one", input: "hi")
        var cap = StreamCapture()
        try c.capture(id, into: &cap)
        #expect(cap.end?.status == .completed)
        let m = try Self.scrape(["--url", "http://127.0.0.1:\(port)/metrics"]) {
            $0.value("agnod_runs_finished_total", ["workflow": "one", "status": "COMPLETED"]) == 1
        }
        #expect(m.value("agnod_runs_finished_total", ["workflow": "one", "status": "COMPLETED"]) == 1)
        #expect(m.value("agnod_model_tokens_total", ["kind": "output"]) == 3)
        // The user's run ended before any scrape: the user still has a series, at 0.
        #expect(m.value("agnod_active_runs", ["user": Self.userName]) == 0)
        let missing = try runProcess(
            URL(fileURLWithPath: "/usr/bin/curl"), ["-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/nope"])
        #expect(missing.stdout == "404")
    }

    @Test func theOpSaysWhenMetricsAreOff() async throws {
        let h = try await Harness(
            models: [:], workflows: [:], extra: [("metrics", .object([("enabled", .bool(false))]))])
        defer { h.shutdownNow() }
        let error = try h.connect().errorOf(.metrics(MetricsRequest()))
        #expect(error.code == .unavailable && error.message.contains("metrics.enabled: false"))
    }
}
