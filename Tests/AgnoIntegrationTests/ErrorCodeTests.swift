import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

@Suite struct ErrorCodeTests {
    @Test func everyErrorCodeThatAClientCanCauseIsAnsweredAsSpecified() async throws {
        let stall = ScriptedModelServer.stalling()
        let h = try await Harness(models: ["stall": stall],
                                  workflows: ["s.yaml": Fixtures.oneStep("s", model: "stall:m"), "nomodel.yaml": Fixtures.oneStep("nomodel", model: "nowhere:m")],
                                  limits: ["active_runs_per_user": 1, "queued_runs_per_user": 1])
        defer { h.shutdownNow() }
        let c = try h.connect()
        // bad_request: bad JSON and bad UTF-8 (id null), the connection stays usable.
        try c.sendRaw(Array("{nope\n".utf8))
        guard case .error(.null, let badJSON) = try c.nextReply() else { Issue.record("no error"); return }
        #expect(badJSON.code == .badRequest)
        try c.sendRaw([0xC3, 0x28, 0x0A])
        guard case .error(.null, let badUTF8) = try c.nextReply() else { Issue.record("no error"); return }
        #expect(badUTF8.code == .badRequest && badUTF8.message.contains("UTF-8"))
        try c.sendRaw(Array(#"{"id":5,"op":"start","input":"x"}"#.utf8) + [10])
        guard case .error(.int(5), let missing) = try c.nextReply() else { Issue.record("no error"); return }
        #expect(missing.code == .badRequest && missing.message.contains("workflow"))
        // unknown_op, unsupported_protocol.
        try c.sendRaw(Array(#"{"id":6,"op":"teleport"}"#.utf8) + [10])
        guard case .error(.int(6), let unknown) = try c.nextReply() else { Issue.record("no error"); return }
        #expect(unknown.code == .unknownOp)
        #expect(try c.errorOf(.hello(HelloRequest(protocolVersion: 2))).code == .unsupportedProtocol)
        // not_found: workflows (also a path-looking name) and runs.
        #expect(try c.errorOf(.start(StartRequest(workflow: "../../etc/passwd", input: "x"))).code == .notFound)
        #expect(try c.errorOf(.status(StatusRequest(runID: "no-such-run"))).code == .notFound)
        #expect(try c.errorOf(.cancel(CancelRequest(runID: "no-such-run"))).code == .notFound)
        #expect(try c.errorOf(.stream(StreamRequest(runID: "no-such-run"))).code == .notFound)
        // unavailable: a workflow whose provider is not configured.
        let unavailable = try c.errorOf(.start(StartRequest(workflow: "nomodel", input: "x")))
        #expect(unavailable.code == .unavailable && unavailable.message.contains("nowhere"))
        // conflict: a run_id used twice.
        _ = try c.resultOf(.start(StartRequest(workflow: "s", input: "x", runID: "mine-1")))
        #expect(try c.errorOf(.start(StartRequest(workflow: "s", input: "x", runID: "mine-1"))).code == .conflict)
        // busy: one active run per user, one queued, then no more.
        _ = try c.resultOf(.start(StartRequest(workflow: "s", input: "queued")))
        let busy = try c.errorOf(.start(StartRequest(workflow: "s", input: "too many")))
        #expect(busy.code == .busy && (busy.retryAfterMs ?? 0) > 0)
        // line_too_long: an error with id null, then the connection closes; the daemon lives on.
        let d = try h.connect()
        try? d.sendRaw(Array(#"{"id":1,"op":"hello","pad":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: 2 << 20) + Array("\"}\n".utf8))
        guard case .error(.null, let tooLong) = try d.nextReply() else { Issue.record("no line_too_long"); return }
        #expect(tooLong.code == .lineTooLong)
        #expect(throws: ClientError.self) { try d.nextReply() }
        #expect(try h.connect().resultOf(.hello(HelloRequest()))["protocol"]?.intValue == 1)
    }

    @Test func permissionDeniedForAllUsersWhenNotAdmin() async throws {
        let h = try await Harness(models: ["m": .fast()], workflows: ["s.yaml": Fixtures.oneStep("s", model: "m:x")])
        defer { h.shutdownNow() }
        // As root: admin, may list everyone's runs.
        #expect(try h.connect().resultOf(.hello(HelloRequest()))["admin"] == .bool(getuid() == 0))
        guard getuid() == 0 else { return }
        // As nobody (a real other uid): not admin, permission_denied, and root's runs are not_found.
        _ = try h.connect().resultOf(.start(StartRequest(workflow: "s", input: "root's secret", runID: "root-run")))
        // A copy of agnoctl that nobody may run, wherever the build directory is.
        let agnoctl = h.daemon.directory.appendingPathComponent("agnoctl")
        try FileManager.default.copyItem(at: Binaries.agnoctl, to: agnoctl)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", agnoctl.path]
        let setpriv = URL(fileURLWithPath: "/usr/bin/setpriv")
        let list = try runProcess(setpriv, asNobody + ["list", "--all"], environment: ["AGNOD_SOCKET": h.daemon.socket])
        #expect(list.status == 1)
        #expect(list.stderr.contains("permission_denied"))
        let status = try runProcess(setpriv, asNobody + ["status", "root-run"], environment: ["AGNOD_SOCKET": h.daemon.socket])
        #expect(status.status == 1 && status.stderr.contains("not_found") && !status.stdout.contains("secret"))
        let hello = try runProcess(setpriv, asNobody + ["version", "--json"], environment: ["AGNOD_SOCKET": h.daemon.socket])
        #expect(hello.stdout.contains("\"uid\":65534") && hello.stdout.contains("\"admin\":false"))
    }
}
