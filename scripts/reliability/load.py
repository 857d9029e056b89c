#!/usr/bin/env python3
"""Load test of agnod: N concurrent clients for a duration, each on its own connection, looping over a
random mix of ops, checking every reply against shared/PROTOCOL.md.

Usage: scripts/reliability/load.py --agnod PATH [--clients 1000] [--seconds 600] [--json]
       [--chunks 40] [--chunk-ms 5] [--active-runs 64]

Ops: start_stream (start stream:true read to `end`), start_attach (start detached, then `stream` from
after_seq 0 or a random seq), cancel (start detached, cancel it, read its stream), status, list.
Counted as protocol errors: a reply with the wrong id, an `error` other than `busy`, a stream without
`end` (closed or > --op-timeout), malformed JSON, a frame type not allowed there. Seq violations: gaps,
duplicates, a first seq != after_seq+1, end.last_seq != last seq seen. `busy` is counted and retried
after retry_after_ms. Exit status 1 on any protocol error / seq violation / connection error that never
recovered, or when agnod died; 0 otherwise.
"""
import argparse, asyncio, json, os, random, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel_common as rc

OPS = ["start_stream", "start_attach", "cancel", "status", "list"]
WEIGHTS = [3, 3, 2, 1, 1]
LAT_KEYS = ["start", "run (start->end, stream:true)", "stream", "cancel", "status", "list", "connect"]


class Stats:
    def __init__(self):
        self.ops = {k: 0 for k in OPS}
        self.lat = {k: [] for k in LAT_KEYS}
        self.protocol_errors = []
        self.seq_violations = []
        self.busy = 0
        self.conn_errors = []      # (when, what) connect failures / connections refused
        self.conn_broken = 0       # established connections that broke (EOF/reset) mid-op
        self.runs = {}             # run_id -> final status seen in an `end`
        self.started = 0
        self.cancel_true = 0
        self.cancel_false = 0
        self.events = 0
        self.hung = 0
        self.never_connected = 0
        self.backlog_full = 0
        self.conn_busy = 0

    def perr(self, cid, msg):
        self.protocol_errors.append("client %d: %s" % (cid, msg))

    def seqv(self, cid, msg):
        self.seq_violations.append("client %d: %s" % (cid, msg))


class Client:
    def __init__(self, cid, path, st, args, stop_at):
        self.cid, self.path, self.st, self.args, self.stop_at = cid, path, st, args, stop_at
        self.conn = None
        self.mine = []
        self.rng = random.Random(cid * 7919 + int(time.time()))

    async def connect(self):
        delay = 0.05
        while True:
            t0 = time.perf_counter()
            try:
                self.conn = await rc.Conn.open(self.path, timeout=10)
                self.st.lat["connect"].append((time.perf_counter() - t0) * 1000)
                return True
            except rc.BacklogFull as e:
                self.st.backlog_full += 1
                self.st.conn_errors.append((time.time(), "client %d: %s" % (self.cid, e)))
            except (OSError, asyncio.TimeoutError) as e:
                self.st.conn_errors.append((time.time(), "client %d connect: %s" % (self.cid, type(e).__name__ + ": " + str(e))))
            if time.time() > self.stop_at + 5:
                return False
            await asyncio.sleep(delay + self.rng.random() * delay)
            delay = min(delay * 2, 2)

    async def with_busy(self, coro_fn):
        """Retry coro_fn() after retry_after_ms while agnod answers busy."""
        while True:
            try:
                return await coro_fn()
            except rc.Busy as b:
                self.st.busy += 1
                if time.time() > self.stop_at + self.args.op_timeout:
                    raise rc.ProtocolError("busy until past the deadline")
                await asyncio.sleep(max(b.retry_after_ms, 1) / 1000 * (1 + self.rng.random() * 0.2))

    def record_stream(self, sr, what, full=True):
        for p in rc.check_stream(sr, full):
            self.st.seqv(self.cid, "%s run %s: %s" % (what, sr.end and sr.end.get("run_id"), p))
        for p in rc.terminal_event_problems(sr):
            self.st.seqv(self.cid, "%s run %s: %s" % (what, sr.end.get("run_id"), p))
        self.st.events += len(sr.events)
        if sr.end is not None:
            self.st.runs[sr.end.get("run_id")] = sr.end.get("status")
        if sr.broken is not None:
            raise rc.ConnClosed(sr.broken)

    async def start(self, stream):
        t0 = time.perf_counter()
        res, rid = await self.with_busy(lambda: rc.start_run(self.conn, "two", stream, timeout=self.args.op_timeout))
        self.st.lat["start"].append((time.perf_counter() - t0) * 1000)
        self.st.started += 1
        self.mine.append(res["run_id"])
        if len(self.mine) > 50:
            self.mine.pop(0)
        return res, rid, t0

    async def op_start_stream(self):
        res, rid, t0 = await self.start(True)
        sr = rc.StreamRead(0)
        await rc.read_frames(self.conn, rid, sr, self.args.op_timeout)
        if sr.end is not None:
            self.st.lat["run (start->end, stream:true)"].append((time.perf_counter() - t0) * 1000)
            if sr.end.get("run_id") != res["run_id"]:
                self.st.perr(self.cid, "end of run %r for run %r" % (sr.end.get("run_id"), res["run_id"]))
        self.record_stream(sr, "start_stream")

    async def op_start_attach(self):
        res, _, _ = await self.start(False)
        after = 0 if self.rng.random() < 0.5 else self.rng.randint(1, 2 * (self.args.chunks + 4) + 4)
        if self.rng.random() < 0.5:
            await asyncio.sleep(self.rng.random() * 0.3)
        t0 = time.perf_counter()
        sr = await rc.attach(self.conn, res["run_id"], after, self.args.op_timeout)
        if sr.end is not None:
            self.st.lat["stream"].append((time.perf_counter() - t0) * 1000)
        self.record_stream(sr, "attach(after_seq=%d)" % after)

    async def op_cancel(self):
        res, _, _ = await self.start(False)
        await asyncio.sleep(self.rng.random() * 0.4)
        t0 = time.perf_counter()
        r = await self.conn.call({"op": "cancel", "run_id": res["run_id"]}, self.args.op_timeout)
        self.st.lat["cancel"].append((time.perf_counter() - t0) * 1000)
        if not isinstance(r.get("cancelled"), bool) or r.get("status") not in {"PENDING", "RUNNING", "PAUSED"} | rc.TERMINAL:
            self.st.perr(self.cid, "cancel result %r" % r)
        if r.get("cancelled"):
            self.st.cancel_true += 1
        else:
            self.st.cancel_false += 1
        t1 = time.perf_counter()
        sr = await rc.attach(self.conn, res["run_id"], 0, self.args.op_timeout)
        if sr.end is not None:
            self.st.lat["stream"].append((time.perf_counter() - t1) * 1000)
            if r.get("cancelled") and sr.end.get("status") != "CANCELLED":
                self.st.perr(self.cid, "cancel answered cancelled:true but the run ended %s" % sr.end.get("status"))
            if not r.get("cancelled") and sr.end.get("status") != r.get("status"):
                self.st.perr(self.cid, "cancel answered cancelled:false status %s but the run ended %s" % (r.get("status"), sr.end.get("status")))
        self.record_stream(sr, "cancel+stream")

    async def op_status(self):
        if not self.mine:
            return await self.op_list()
        run_id = self.rng.choice(self.mine)
        t0 = time.perf_counter()
        r = await self.with_busy(lambda: self.conn.call({"op": "status", "run_id": run_id}, self.args.op_timeout))
        self.st.lat["status"].append((time.perf_counter() - t0) * 1000)
        if r.get("run_id") != run_id or r.get("status") not in {"PENDING", "RUNNING", "PAUSED"} | rc.TERMINAL:
            self.st.perr(self.cid, "status of %s -> %r" % (run_id, json.dumps(r)[:200]))

    async def op_list(self):
        t0 = time.perf_counter()
        r = await self.with_busy(lambda: self.conn.call({"op": "list", "limit": 20}, self.args.op_timeout))
        self.st.lat["list"].append((time.perf_counter() - t0) * 1000)
        if not isinstance(r.get("runs"), list) or len(r["runs"]) > 20:
            self.st.perr(self.cid, "list -> %r" % json.dumps(r)[:200])

    async def run(self):
        if not await self.connect():
            self.st.never_connected += 1
            return
        while time.time() < self.stop_at:
            op = self.rng.choices(OPS, WEIGHTS)[0]
            self.st.ops[op] += 1
            try:
                await getattr(self, "op_" + op)()
            except rc.ProtocolError as e:
                self.st.perr(self.cid, "%s: %s" % (op, e))
                await self.reconnect()
            except rc.ConnBusy as e:
                self.st.conn_busy += 1
                await asyncio.sleep(max(e.retry_after_ms, 1) / 1000)
                await self.reconnect()
            except rc.ConnClosed as e:
                self.st.conn_broken += 1
                self.st.perr(self.cid, "%s: connection closed before the reply/end: %s" % (op, e))
                await self.reconnect()
            except (OSError, asyncio.TimeoutError) as e:
                import traceback
                tb = traceback.format_exc(limit=6).strip().splitlines()
                where = " <- ".join(x.strip() for x in tb[-6:-1] if x.strip().startswith("File"))[-300:]
                self.st.perr(self.cid, "%s: %s: %s (t+%.1fs; %s)" % (op, type(e).__name__, e, time.time() - self.stop_at + self.args.seconds, where))
                await self.reconnect()
            if self.conn is None:
                return
        await self.conn.close()

    async def reconnect(self):
        if self.conn:
            await self.conn.close()
        self.conn = None
        if time.time() < self.stop_at:
            await self.connect()


async def sample_rss(agnod, out, stop):
    while not stop.is_set():
        v = agnod.rss_kb()
        if v:
            out.append(v)
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def loop_lag(out, stop):
    """How late a 100 ms sleep wakes: the load generator's own event-loop lag (client-side delay in every latency)."""
    while not stop.is_set():
        t = time.perf_counter()
        await asyncio.sleep(0.1)
        out.append((time.perf_counter() - t - 0.1) * 1000)


async def probe(args):
    """A separate, unloaded process: one connection, every 250 ms a hello, a list, a detached start and
    its cancel, each timed. Its numbers are agnod's latency under the load, without the load generator's
    own event-loop lag (which is in every latency the 1,000 clients measure)."""
    lat = {k: [] for k in ["hello", "list", "start", "cancel"]}
    errors = []
    conn = await rc.Conn.open(args.probe, timeout=30)
    stop_at = time.time() + args.seconds
    while time.time() < stop_at:
        for name, req in [("hello", {"op": "hello", "protocol": 1}), ("list", {"op": "list", "limit": 20})]:
            t0 = time.perf_counter()
            try:
                await conn.call(req, 120)
                lat[name].append((time.perf_counter() - t0) * 1000)
            except Exception as e:
                errors.append("%s: %r" % (name, e))
        t0 = time.perf_counter()
        try:
            res, _ = await rc.start_run(conn, "two", False, timeout=120)
            lat["start"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            await conn.call({"op": "cancel", "run_id": res["run_id"]}, 120)
            lat["cancel"].append((time.perf_counter() - t0) * 1000)
        except rc.Busy:
            pass   # the queue is full of the load's runs: counted by the load, not a probe latency
        except Exception as e:
            errors.append("start/cancel: %r" % e)
        await asyncio.sleep(0.25)
    await conn.close()
    with open(args.out, "w") as f:
        json.dump({"latency_ms": {k: dict(zip(["count", "p50", "p99", "max"], rc.lat_summary(v))) for k, v in lat.items()},
                   "errors": errors[:10], "error_count": len(errors)}, f)


async def amain(args):
    nofile = rc.raise_nofile(max(65536, args.clients * 4 + 1024))
    model = rc.ModelServer(delay=args.chunk_ms / 1000, tokens=args.chunks).start()
    limits = {"active_runs": args.active_runs, "active_runs_per_user": args.active_runs,
              "queued_runs_per_user": args.queued, "connections_per_user": args.clients * 2 + 100,
              "requests_per_connection": 256}
    agnod = rc.Agnod(args.agnod, {"p": model.port}, {"two": rc.wf_yaml("two", "p", steps=2)}, limits=limits,
                     extra={"retention": {"max_age": 0, "max_runs": 0}})
    agnod.start()
    rss = []
    rss_start = agnod.rss_kb()
    st = Stats()
    stop = asyncio.Event()
    sampler = asyncio.create_task(sample_rss(agnod, rss, stop))
    lag = []
    lagger = asyncio.create_task(loop_lag(lag, stop))
    t_begin = time.time()
    stop_at = t_begin + args.seconds
    probe_out = os.path.join(agnod.dir, "probe.json")
    prober = await asyncio.create_subprocess_exec(
        sys.executable, os.path.abspath(__file__), "--agnod", args.agnod, "--probe", agnod.sock, "--out", probe_out,
        "--seconds", str(args.seconds))
    clients = [Client(i, agnod.sock, st, args, stop_at) for i in range(args.clients)]
    tasks = []
    ramp = min(2.0, args.seconds / 10)
    for i, c in enumerate(clients):
        tasks.append(asyncio.create_task(c.run()))
        if args.clients > 1 and i % 50 == 49:
            await asyncio.sleep(ramp / (args.clients / 50))
    done, pending = await asyncio.wait(tasks, timeout=args.seconds + args.op_timeout + 30)
    for t in pending:
        st.hung += 1
        t.cancel()
    for t in done:
        if t.exception():
            st.perr(-1, "client task crashed: %r" % t.exception())
    elapsed = time.time() - t_begin
    await prober.wait()
    try:
        probe_report = json.load(open(probe_out))
    except (OSError, ValueError) as e:
        probe_report = {"latency_ms": {}, "errors": ["no probe report: %r" % e], "error_count": 1}
    for e in probe_report["errors"]:
        st.perr(-2, "probe: " + e)
    # after the load: agnod still alive and answering?
    alive = agnod.alive()
    answering = False
    if alive:
        try:
            c = await rc.Conn.open(agnod.sock)
            r = await c.call({"op": "hello", "protocol": 1}, 10)
            answering = r.get("protocol") == 1
            await c.close()
        except Exception as e:
            st.perr(-1, "hello after the load: %r" % e)
    rss_end = agnod.rss_kb()
    stop.set()
    await sampler
    await lagger
    try:
        mstats = model.stats()
    except Exception:
        mstats = None
    statuses = {}
    for s in st.runs.values():
        statuses[s] = statuses.get(s, 0) + 1
    report = {
        "clients": args.clients, "seconds": args.seconds, "elapsed_s": round(elapsed, 1),
        "chunks_per_step": args.chunks, "chunk_ms": args.chunk_ms, "limits": limits, "nofile": nofile,
        "ops": st.ops, "ops_total": sum(st.ops.values()),
        "latency_ms": {k: dict(zip(["count", "p50", "p99", "max"], rc.lat_summary(v))) for k, v in st.lat.items()},
        "probe_latency_ms": probe_report["latency_ms"],
        "client_loop_lag_ms": dict(zip(["count", "p50", "p99", "max"], rc.lat_summary(lag))),
        "runs_started": st.started, "runs_seen_ending": len(st.runs), "run_end_statuses": statuses,
        "cancel_answers": {"cancelled_true": st.cancel_true, "cancelled_false": st.cancel_false},
        "events_read": st.events, "busy": st.busy,
        "connection_errors": len(st.conn_errors), "connect_eagain_backlog_full": st.backlog_full, "connections_broken": st.conn_broken,
        "protocol_errors": len(st.protocol_errors), "seq_violations": len(st.seq_violations),
        "hung_clients": st.hung, "clients_never_connected": st.never_connected,
        "connections_refused_busy": st.conn_busy,
        "protocol_error_examples": st.protocol_errors[:15], "seq_violation_examples": st.seq_violations[:15],
        "connection_error_examples": [m for _, m in st.conn_errors[:10]],
        "agnod_rss_kb": {"start": rss_start, "peak": max(rss) if rss else None, "end": rss_end},
        "agnod_alive_at_end": alive, "agnod_answering_at_end": answering,
        "model_server": mstats, "agnod_dir": agnod.dir,
    }
    ok = (alive and answering and not st.protocol_errors and not st.seq_violations and st.hung == 0
          and st.never_connected == 0)
    report["ok"] = ok
    if not ok:
        try:
            report["agnod_log_tail"] = agnod.logs()[-3000:]
        except Exception:
            pass
    agnod.stop()
    model.kill()
    return report, ok


def print_report(r):
    print(f"## agnod load: {r['clients']} clients, {r['seconds']} s (elapsed {r['elapsed_s']} s), "
          f"model {r['chunks_per_step']} chunks x {r['chunk_ms']} ms, 2 steps; limits {r['limits']}")
    print()
    print("| op | count |")
    print("|---|---|")
    for k, v in r["ops"].items():
        print(f"| {k} | {v} |")
    print(f"| **total** | {r['ops_total']} |")
    print()
    print("| latency (ms) | count | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    for k, v in list(r["latency_ms"].items()) + [("(load generator event-loop lag)", r["client_loop_lag_ms"])]:
        print(f"| {k} | {v['count']} | {rc.fmt(v['p50'])} | {rc.fmt(v['p99'])} | {rc.fmt(v['max'])} |")
    print()
    print("| agnod latency seen by an unloaded probe process (ms) | count | p50 | p99 | max |")
    print("|---|---|---|---|---|")
    for k, v in r["probe_latency_ms"].items():
        print(f"| {k} | {v['count']} | {rc.fmt(v['p50'])} | {rc.fmt(v['p99'])} | {rc.fmt(v['max'])} |")
    print()
    rs = r["agnod_rss_kb"]
    rows = [
        ("runs started", r["runs_started"]), ("runs seen ending", r["runs_seen_ending"]),
        ("end statuses", r["run_end_statuses"]), ("cancel answers", r["cancel_answers"]),
        ("events read", r["events_read"]), ("busy (retried)", r["busy"]),
        ("connection errors (connect failed, retried)", r["connection_errors"]),
        ("  of which EAGAIN: listen backlog full", r["connect_eagain_backlog_full"]),
        ("connections broken mid-op", r["connections_broken"]),
        ("protocol errors", r["protocol_errors"]), ("seq violations", r["seq_violations"]),
        ("connections refused with busy (id null)", r["connections_refused_busy"]),
        ("clients that never connected", r["clients_never_connected"]),
        ("hung clients", r["hung_clients"]),
        ("agnod RSS start/peak/end (MiB)", "%s / %s / %s" % tuple(rc.fmt(None if x is None else round(x / 1024, 1)) for x in (rs["start"], rs["peak"], rs["end"]))),
        ("agnod alive / answering at end", "%s / %s" % (r["agnod_alive_at_end"], r["agnod_answering_at_end"])),
        ("model server", r["model_server"]),
    ]
    print("| | |")
    print("|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")
    for title, key in [("protocol errors", "protocol_error_examples"), ("seq violations", "seq_violation_examples"),
                       ("connection errors", "connection_error_examples")]:
        if r[key]:
            print(f"\n{title} (first {len(r[key])}):")
            for m in r[key]:
                print("  -", m)
    if "agnod_log_tail" in r:
        print("\nagnod log tail:\n" + r["agnod_log_tail"])
    print("\nRESULT:", "PASS" if r["ok"] else "FAIL")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agnod", required=True)
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--chunks", type=int, default=40, help="model chunks per step")
    p.add_argument("--chunk-ms", type=float, default=5)
    p.add_argument("--active-runs", type=int, default=64)
    p.add_argument("--queued", type=int, default=1000, help="limits.queued_runs_per_user")
    p.add_argument("--op-timeout", type=float, default=180, help="longest wait for one reply / a stream's end")
    p.add_argument("--probe", metavar="SOCKET", help=argparse.SUPPRESS)  # internal: the probe process
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.probe:
        asyncio.run(probe(args))
        return
    report, ok = asyncio.run(amain(args))
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        print_report(report)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
