import AgnoClient
import AgnoProtocol
import AgnoTesting
import Foundation
import Testing

/// Real Linux users (created here with useradd; needs root, as CI is) running the real agnoctl through
/// setpriv: alice and bob (each in their own group), carol (in the admin group, not root) and dave (no
/// supplementary group at all).
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root to create users"))
struct MultiUserTests {
    static let adminGroup = "agnod-t-admins"

    struct User {
        let name: String
        let uid: Int
        let gid: Int
    }

    /// Creates the users once (idempotent across runs).
    static func ensureUsers() throws -> [String: User] {
        func run(_ tool: String, _ args: [String]) throws -> ProcessResult { try runProcess(URL(fileURLWithPath: tool), args) }
        _ = try run("/usr/sbin/groupadd", ["-f", adminGroup])
        let wanted: [(String, [String])] = [
            ("agnod-t-alice", ["-U"]), ("agnod-t-bob", ["-U"]), ("agnod-t-carol", ["-U", "-G", adminGroup]),
            ("agnod-t-dave", ["-N", "-g", "nogroup"]),
        ]
        var users: [String: User] = [:]
        for (name, options) in wanted {
            if try run("/usr/bin/id", ["-u", name]).status != 0 {
                let made = try run("/usr/sbin/useradd", ["-M", "-s", "/usr/sbin/nologin"] + options + [name])
                guard made.status == 0 else { throw TestError("useradd \(name): \(made.stderr)") }
            }
            let uid = Int(try run("/usr/bin/id", ["-u", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            let gid = Int(try run("/usr/bin/id", ["-g", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
            users[String(name.dropFirst("agnod-t-".count))] = User(name: name, uid: uid, gid: gid)
        }
        return users
    }

    /// The daemon, and agnoctl copied where every user may run it.
    static func daemon(_ h: Harness) throws -> URL {
        let agnoctl = h.daemon.directory.appendingPathComponent("agnoctl")
        if !FileManager.default.fileExists(atPath: agnoctl.path) {
            try FileManager.default.copyItem(at: Binaries.agnoctl, to: agnoctl)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: agnoctl.path)
        }
        return agnoctl
    }

    /// Runs agnoctl as `user` (real uid, gid and supplementary groups of that user).
    static func agnoctl(_ user: User, _ h: Harness, _ args: [String]) throws -> ProcessResult {
        let agnoctl = try daemon(h)
        return try runProcess(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--init-groups", agnoctl.path] + args,
            environment: ["AGNOD_SOCKET": h.daemon.socket])
    }

    @Test func bobAndDaveCannotSeeStreamCancelRemoveOrListAlicesRunsAndAnAdminCan() async throws {
        let users = try Self.ensureUsers()
        let (alice, bob, carol, dave) = (users["alice"]!, users["bob"]!, users["carol"]!, users["dave"]!)
        let h = try await Harness(
            models: ["fast": .fast("fact", count: 5), "stall": .stalling()],
            workflows: ["quick.yaml": Fixtures.oneStep("quick", model: "fast:m"), "hang.yaml": Fixtures.oneStep("hang", model: "stall:m")],
            extra: [("admin_group", .string(Self.adminGroup))])
        defer { h.shutdownNow() }
        func ctl(_ u: User, _ args: String...) throws -> ProcessResult { try Self.agnoctl(u, h, args) }

        // hello says who each caller is.
        for (user, admin) in [(alice, false), (carol, true), (dave, false)] {
            let hello = try ctl(user, "version", "--json")
            #expect(
                hello.stdout.contains("\"uid\":\(user.uid)") && hello.stdout.contains("\"user\":\"\(user.name)\"")
                    && hello.stdout.contains("\"admin\":\(admin)"), "\(hello.stdout)\(hello.stderr)")
        }

        #expect(try ctl(alice, "run", "quick", "alice's private topic", "--run-id", "a-done").status == 0)
        #expect(try ctl(alice, "run", "hang", "alice's other private topic", "--detach", "--run-id", "a-live").status == 0)

        // bob and dave: every op on alice's runs answers not_found, worded as for a run that does not exist.
        let missing = try ctl(bob, "status", "no-such-run")
        for outsider in [bob, dave] {
            for args in [["status", "a-done"], ["attach", "a-done"], ["cancel", "a-live"], ["rm", "a-done"]] {
                let r = try Self.agnoctl(outsider, h, args)
                #expect(r.status == 1, "\(outsider.name) \(args): \(r.stdout) \(r.stderr)")
                #expect(r.stderr.contains("not_found") && r.stderr.contains("no run '\(args[1])'"), "\(r.stderr)")
                #expect(
                    r.stderr.replacingOccurrences(of: args[1], with: "X")
                        == missing.stderr.replacingOccurrences(of: "no-such-run", with: "X"))
                #expect(!r.stdout.contains("private topic") && !r.stderr.contains("private topic"))
            }
            let list = try ctl(outsider, "list")
            #expect(
                list.status == 0 && !list.stdout.contains("a-done") && !list.stdout.contains("a-live") && !list.stdout.contains("private"))
            let all = try ctl(outsider, "list", "--all")
            #expect(all.status == 1 && all.stderr.contains("permission_denied"))
        }
        // dave, in no supplementary group, still runs his own workflows.
        #expect(try ctl(dave, "run", "quick", "dave's topic", "--run-id", "d-1").status == 0)
        #expect(try ctl(dave, "status", "d-1").stdout.contains("COMPLETED"))

        // carol is an admin without being root: she sees, streams, lists and cancels alice's runs.
        #expect(try ctl(carol, "status", "a-done").stdout.contains("COMPLETED"))
        let everyone = try ctl(carol, "list", "--all")
        #expect(
            everyone.stdout.contains("a-done") && everyone.stdout.contains("a-live") && everyone.stdout.contains("d-1"),
            "\(everyone.stdout)")
        let replay = try ctl(carol, "attach", "a-done")
        #expect(replay.status == 0 && replay.stdout.contains("fact"))
        #expect(try ctl(carol, "cancel", "a-live").status == 0)
        let frames = try ctl(alice, "attach", "a-live", "--json")
        #expect(frames.status == 130)
        #expect(frames.stdout.contains("cancelled by admin \(carol.name)"), "\(frames.stdout)")
        let summary = try ctl(alice, "status", "a-live", "--json")
        #expect(summary.stdout.contains("\"cancelled_by\":\"\(carol.name)\""), "\(summary.stdout)")
        #expect(try ctl(alice, "status", "a-live").stdout.contains("Cancelled by: \(carol.name)"))
        #expect(try ctl(carol, "rm", "a-done").status == 0)
        #expect(try ctl(alice, "status", "a-done").status == 1)
    }

    /// The admin group is looked up per connection: one created after agnod started counts at once, and
    /// while it is missing the log says so.
    @Test func anAdminGroupCreatedAfterAgnodStartedCountsForTheNextConnection() async throws {
        let users = try Self.ensureUsers()
        let bob = users["bob"]!
        func run(_ tool: String, _ args: [String]) throws -> ProcessResult { try runProcess(URL(fileURLWithPath: tool), args) }
        let late = "agnod-t-late\(Int.random(in: 1000...9999))"
        _ = try run("/usr/sbin/groupdel", [late])
        defer { _ = try? run("/usr/sbin/groupdel", [late]) }
        let h = try await Harness(
            models: ["fast": .fast("x", count: 3)], workflows: ["quick.yaml": Fixtures.oneStep("quick", model: "fast:m")],
            extra: [("admin_group", .string(late))])
        defer { h.shutdownNow() }
        #expect(h.daemon.logText.contains("admin_group does not exist"), "\(h.daemon.logText)")
        #expect(try Self.agnoctl(bob, h, ["version", "--json"]).stdout.contains("\"admin\":false"))
        #expect(try run("/usr/sbin/groupadd", [late]).status == 0)
        #expect(try run("/usr/sbin/usermod", ["-aG", late, bob.name]).status == 0)
        let hello = try Self.agnoctl(bob, h, ["version", "--json"])
        #expect(hello.stdout.contains("\"admin\":true"), "\(hello.stdout)\(hello.stderr)")
        #expect(try Self.agnoctl(bob, h, ["list", "--all"]).status == 0)
    }

    @Test func alicesPausedRunCannotBeContinuedByBobAndTheAdminGroupCan() async throws {
        let users = try Self.ensureUsers()
        let (alice, bob, carol) = (users["alice"]!, users["bob"]!, users["carol"]!)
        let h = try await Harness(
            models: ["m": HumanReviewTests.echo()], workflows: ["confirm.yaml": HumanReviewTests.confirm],
            extra: [("admin_group", .string(Self.adminGroup))])
        defer { h.shutdownNow() }
        func ctl(_ u: User, _ args: String...) throws -> ProcessResult { try Self.agnoctl(u, h, args) }

        for id in ["a-p1", "a-p2"] {
            let paused = try ctl(alice, "run", "confirm", "alice's topic", "--run-id", id)
            #expect(paused.status != 0 && paused.stderr.contains("agnoctl continue \(id)"), "\(paused.status) \(paused.stderr)")
            #expect(try ctl(alice, "status", id, "--json").stdout.contains("\"status\":\"PAUSED\""))
        }
        // bob: not_found, worded as for a run that does not exist; the run stays PAUSED.
        for args in [["continue", "a-p1", "--approve"], ["cancel", "a-p1"]] {
            let r = try Self.agnoctl(bob, h, args)
            #expect(r.status == 1 && r.stderr.contains("not_found") && r.stderr.contains("no run 'a-p1'"), "\(args): \(r.stderr)")
        }
        #expect(try ctl(alice, "status", "a-p1", "--json").stdout.contains("\"status\":\"PAUSED\""))
        // carol (admin group): continues it; the run says who answered.
        let done = try ctl(carol, "continue", "a-p1", "--approve", "--follow")
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        let summary = try ctl(alice, "status", "a-p1", "--json").stdout
        #expect(summary.contains("\"status\":\"COMPLETED\"") && summary.contains("\"by\":\"\(carol.name)\""), "\(summary)")
        // alice continues her own.
        #expect(try ctl(alice, "continue", "a-p2", "--approve", "--follow").status == 0)
        #expect(h.daemon.logText.contains("run continued"))
    }

    @Test func fiftyRunsQueuedByAliceDoNotDelayBobsFirstRun() async throws {
        let users = try Self.ensureUsers()
        let (alice, bob) = (users["alice"]!, users["bob"]!)
        let h = try await Harness(
            models: ["slow": .slow("tok", ms: 50, count: 40)],  // 2 s per run, 2 slots: the queue drains slowly
            workflows: ["slow.yaml": Fixtures.oneStep("slow", model: "slow:m")],
            limits: ["active_runs": 2, "active_runs_per_user": 2, "queued_runs_per_user": 100])
        defer { h.shutdownNow() }
        let agnoctl = try Self.daemon(h)
        // alice queues 50 runs (one process, one after another), then bob starts one and streams it.
        let queue = try runProcess(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            [
                "--reuid=\(alice.uid)", "--regid=\(alice.gid)", "--init-groups", "/bin/sh", "-c",
                "for i in $(seq 1 50); do \(agnoctl.path) run slow alice-$i --detach --run-id alice-$i >/dev/null || exit 1; done",
            ], environment: ["AGNOD_SOCKET": h.daemon.socket])
        #expect(queue.status == 0, "\(queue.stderr)")
        let bobsRun = try Self.agnoctl(bob, h, ["run", "slow", "bob's first", "--run-id", "bob-1"])
        #expect(bobsRun.status == 0, "\(bobsRun.stderr)")

        // When bob's run was accepted, alice had runs waiting; the next free slot went to bob, not to them.
        let c = try h.connect()
        let runs = try c.resultOf(.list(ListRequest(limit: 100, allUsers: true)))["runs"]?.arrayValue ?? []
        let summaries = runs.compactMap(RunSummary.init(json:))
        let bob1 = try #require(summaries.first { $0.runID == "bob-1" })
        let bobStarted = try #require(bob1.startedAt)
        let aliceRuns = summaries.filter { $0.ownerUID == UInt32(alice.uid) }
        #expect(aliceRuns.count == 50)
        let waitingWhenBobCame = aliceRuns.filter { $0.startedAt.map { $0 > bob1.createdAt } ?? true }
        #expect(waitingWhenBobCame.count >= 40, "alice's runs were mostly still queued when bob came")
        let overtook = waitingWhenBobCame.filter { ($0.startedAt ?? .distantFuture) < bobStarted }
        #expect(overtook.isEmpty, "alice's runs that started after bob's was accepted but before it: \(overtook.map(\.runID))")
    }

    @Test func connectionLimitsArePerUserAndRequestLimitsPerConnection() async throws {
        let users = try Self.ensureUsers()
        let h = try await Harness(
            models: ["stall": .stalling()], workflows: ["hang.yaml": Fixtures.oneStep("hang", model: "stall:m")],
            limits: ["connections_per_user": 2, "requests_per_connection": 2])
        defer { h.shutdownNow() }
        // root holds two connections; a third is refused with busy and a retry hint, and closed.
        let a = try h.connect()
        let b = try h.connect()
        _ = try a.resultOf(.hello(HelloRequest()))
        _ = try b.resultOf(.hello(HelloRequest()))
        let third = try h.connect()
        guard case .error(let id, let error) = try third.nextReply() else { throw TestError("expected busy") }
        #expect(id == .null && error.code == .busy && (error.retryAfterMs ?? 0) > 0)
        #expect(error.message.contains("connections_per_user"), "\(error.message)")
        #expect(throws: ClientError.self) { try third.nextRawLine() }
        // Another user is not affected by root's connections.
        let bob = try Self.agnoctl(users["bob"]!, h, ["version", "--json"])
        #expect(bob.status == 0 && bob.stdout.contains("\"user\":\"agnod-t-bob\""), "\(bob.stderr)")

        // Two requests in flight on one connection (two streams); the third is refused, the connection stays.
        _ = try a.startStreaming("hang", input: "one")
        _ = try a.startStreaming("hang", input: "two")
        let refused = try a.errorOf(.hello(HelloRequest()))
        #expect(refused.code == .busy && (refused.retryAfterMs ?? 0) > 0 && refused.message.contains("requests_per_connection"))
        _ = try b.resultOf(.hello(HelloRequest()))
    }
}
