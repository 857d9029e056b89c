#!/usr/bin/env python3
"""Several agnod hosts on one PostgreSQL run store, against a plain agnod on SQLite, in one run: events/s
stored, delivered live to a reader on another host (with a seq check), replayed; cancel -> `end` on the same
host and across hosts. Starts its own PostgreSQL 15 (initdb in a temp dir, loopback, fsync on), scripted model
servers (scripts/measure.py's) and agnod processes, and stops and removes all of them, also on failure.

Usage (scripts/bench-cluster does the set-up): cluster.py --agnod BIN --agnoctl BIN [--quick] [--write]
"""
import argparse, atexit, collections, json, os, platform, select, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from bench import stats  # noqa: E402  (median and p99 of a list of ms, as the other rows of docs/benchmarks.md)

PG_BIN = "/usr/lib/postgresql/15/bin"
PG_USER = "agnod"
PASSWORD_ENV = "AGNOD_BENCH_PG_PASSWORD"
HUGE_TOKENS = 50_000
BEGIN, END = "<!-- cluster:begin -->", "<!-- cluster:end -->"
FRAME_TIMEOUT = 120  # seconds without the frame a step waits for: the step failed


class Failure(Exception):
    """A step of the benchmark failed; the message names it."""


def progress(msg):
    print(f"[cluster {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- cleanup: every process and directory this script makes is registered here at once and undone in reverse
# order at exit (normal, exception, SIGTERM/SIGINT/SIGHUP).
_cleanups = []


def on_exit(fn, what):
    _cleanups.append((fn, what))


def cleanup_all():
    while _cleanups:
        fn, what = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # keep going: the rest must still be cleaned up
            print(f"[cluster] warning: cleaning up {what}: {e}", file=sys.stderr)


atexit.register(cleanup_all)


def _signalled(signum, _frame):
    raise SystemExit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(_sig, _signalled)


def stop_process(proc, sig=signal.SIGTERM, timeout=30):
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def temp_dir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    on_exit(lambda: shutil.rmtree(d, ignore_errors=True), d)
    return d


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, n=30):
    try:
        return "".join(open(path, errors="replace").readlines()[-n:])
    except OSError:
        return "(no log)"


# --- processes


def model_server(name, args):
    """scripts/measure.py's scripted SSE server in its own process (not sharing this script's GIL); returns its port."""
    port = free_port()
    code = (f"import sys, time; sys.path.insert(0, {os.path.dirname(HERE)!r}); from measure import serve; "
            f"serve({port}, {args}); time.sleep(10**6)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    on_exit(lambda: stop_process(proc, signal.SIGKILL), f"model server {name}")
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise Failure(f"the scripted model server '{name}' did not start on port {port}")
            time.sleep(0.05)


class Postgres:
    """PostgreSQL 15 in a temp dir on a free loopback port, password auth over TCP (as agnod connects), run as
    the `postgres` user when this script runs as root. fsync and synchronous_commit stay on unless `settings`
    say otherwise."""

    def __init__(self, settings=()):
        for tool in ("initdb", "postgres"):
            if not os.access(f"{PG_BIN}/{tool}", os.X_OK):
                raise Failure(f"{PG_BIN}/{tool} not found: install Debian's postgresql (15) package")
        self.dir = temp_dir("agnod-bench-pg-")
        self.password = os.urandom(16).hex()
        pwfile = os.path.join(self.dir, "pw")
        with open(pwfile, "w") as f:
            f.write(self.password)
        self.as_user = []
        if os.getuid() == 0:
            import pwd
            pw = pwd.getpwnam("postgres")
            for p in (self.dir, pwfile):
                os.chown(p, pw.pw_uid, pw.pw_gid)
            self.as_user = ["/usr/bin/setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--clear-groups", "--"]
        data = os.path.join(self.dir, "data")
        init = subprocess.run(self.as_user + [f"{PG_BIN}/initdb", "-D", data, "-U", PG_USER, "--pwfile", pwfile,
                                              "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8"],
                              capture_output=True, text=True)
        if init.returncode != 0:
            raise Failure(f"initdb failed ({init.returncode}): {init.stderr.strip()[-2000:]}")
        self.port = free_port()
        self.settings = ["listen_addresses=127.0.0.1", "max_connections=300", "shared_buffers=128MB", *settings]
        self.logpath = os.path.join(self.dir, "postgres.log")
        log = open(self.logpath, "w")
        args = [f"{PG_BIN}/postgres", "-D", data, "-p", str(self.port), "-k", self.dir]
        for s in self.settings:
            args += ["-c", s]
        self.proc = subprocess.Popen(self.as_user + args, stdout=log, stderr=log)
        log.close()
        on_exit(lambda: stop_process(self.proc, signal.SIGINT, 60), "PostgreSQL")  # SIGINT: fast shutdown
        deadline = time.monotonic() + 60
        while "database system is ready to accept connections" not in open(self.logpath, errors="replace").read():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise Failure(f"PostgreSQL did not start on 127.0.0.1:{self.port}; its log:\n{tail(self.logpath)}")
            time.sleep(0.05)
        self.sql("CREATE DATABASE bench", "postgres")
        self.version = self.sql("SHOW server_version", "postgres").strip()
        self.fsync = self.sql("SHOW fsync", "bench").strip(), self.sql("SHOW synchronous_commit", "bench").strip()

    def sql(self, statement, database="bench"):
        r = subprocess.run(["psql", "-h", self.dir, "-p", str(self.port), "-U", PG_USER, "-d", database, "-v", "ON_ERROR_STOP=1",
                            "-At", "-c", statement], capture_output=True, text=True)
        if r.returncode != 0:
            raise Failure(f"psql {statement!r} failed: {r.stderr.strip()}")
        return r.stdout

    def url(self):
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/bench"


class Agnod:
    def __init__(self, binary, name, providers, store=None, env=None):
        self.name = name
        self.dir = temp_dir(f"agnod-bench-{name}-")
        os.makedirs(self.dir + "/wf")
        for wf in providers:
            with open(f"{self.dir}/wf/{wf}.yaml", "w") as f:
                f.write(f"name: {wf}\nagents:\n  a:\n    model: {wf}:m\nsteps:\n  - name: s\n    agent: a\n")
        self.sock = self.dir + "/a.sock"
        cfg = {"socket": self.sock, "state_dir": self.dir + "/state", "workflows_dir": self.dir + "/wf",
               "limits": {"active_runs": 1000, "active_runs_per_user": 1000},
               "providers": {n: {"base_url": f"http://127.0.0.1:{p}/v1"} for n, p in providers.items()}}
        if store:
            cfg["store"] = store
        with open(self.dir + "/agnod.yaml", "w") as f:
            f.write(json.dumps(cfg))
        self.logpath = self.dir + "/agnod.log"
        log = open(self.logpath, "w")
        self.proc = subprocess.Popen([binary, "--config", self.dir + "/agnod.yaml", "--log-level", os.environ.get("LOGLEVEL", "warning")],
                                     stdout=log, stderr=log, env={**os.environ, **(env or {})})
        log.close()
        on_exit(lambda: stop_process(self.proc), f"agnod {name}")
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise Failure(f"agnod {name} exited at start (status {self.proc.returncode}); its log:\n{tail(self.logpath)}")
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(self.sock)
                s.close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise Failure(f"agnod {name} did not listen on {self.sock} within 60 s; its log:\n{tail(self.logpath)}")
                time.sleep(0.05)

    def check(self):
        if self.proc.poll() is not None:
            raise Failure(f"agnod {self.name} exited (status {self.proc.returncode}); its log:\n{tail(self.logpath)}")


# --- the client side: one connection per reader, frames read in 1 MB chunks; an event frame is recognised by
# its prefix and only its seq is parsed (so that the Python reader is not what is measured).


class Conn:
    def __init__(self, daemon, label):
        self.daemon, self.label = daemon, label
        self.s = socket.socket(socket.AF_UNIX)
        try:
            self.s.connect(daemon.sock)
        except OSError as e:
            daemon.check()
            raise Failure(f"{label}: cannot connect to agnod {daemon.name}: {e}")
        self.pending = collections.deque()
        self.rest = b""

    def close(self):
        self.s.close()

    def send(self, obj):
        self.s.sendall(json.dumps(obj).encode() + b"\n")

    def fill(self, deadline):
        """Reads what has arrived (waiting until `deadline` for something) into `pending`."""
        while not self.pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                self.daemon.check()
                raise Failure(f"{self.label}: no frame from agnod {self.daemon.name} within {FRAME_TIMEOUT} s")
            self.recv_some()

    def recv_some(self):
        data = self.s.recv(1 << 20)
        if not data:
            self.daemon.check()
            raise Failure(f"{self.label}: agnod {self.daemon.name} closed the connection")
        lines = (self.rest + data).split(b"\n")
        self.rest = lines.pop()
        self.pending.extend(lines)

    def line(self, timeout=FRAME_TIMEOUT):
        self.fill(time.monotonic() + timeout)
        return self.pending.popleft()

    def result(self, req_id, what):
        """The `result` of request req_id (the first frame it gets); an `error` fails the step."""
        m = json.loads(self.line())
        if m.get("id") != req_id or m.get("type") != "result":
            raise Failure(f"{self.label}: {what} on agnod {self.daemon.name} answered {json.dumps(m)[:500]}")
        return m["result"]


class Follower:
    """Follows the frames of one streaming request: counts its events, checks their seqs are 1, 2, 3… (after
    `after`), counts RunContent, and notes the time its `end` (or `error`) arrives."""

    def __init__(self, conn, req_id, after=0):
        self.conn, self.req_id = conn, req_id
        self.prefix = b'{"id":%d,"type":"event","seq":' % req_id
        self.n, self.last, self.content = 0, after, 0
        self.bad = []  # (expected, got) for each seq out of order
        self.end, self.t_end = None, None

    def take(self, line, now):
        if line.startswith(self.prefix):
            p = len(self.prefix)
            seq = int(line[p:line.index(b",", p)])
            if seq != self.last + 1 and len(self.bad) < 10:
                self.bad.append((self.last + 1, seq))
            self.last = seq
            self.n += 1
            if b'"event":"RunContent"' in line:
                self.content += 1
            return
        m = json.loads(line)
        if m.get("id") == self.req_id and m.get("type") in ("end", "error"):
            self.end, self.t_end = m, now

    def until(self, done, timeout=FRAME_TIMEOUT):
        """Reads until done(self) (or the end); fails when nothing comes for `timeout` s."""
        while not done(self) and self.end is None:
            self.conn.fill(time.monotonic() + timeout)
            now = time.perf_counter()
            while self.conn.pending and self.end is None:
                self.take(self.conn.pending.popleft(), now)
        return self

    def to_end(self, timeout=FRAME_TIMEOUT):
        return self.until(lambda f: False, timeout)

    def seqs_ok(self):
        return not self.bad and self.end is not None and self.end.get("type") == "end" and self.last == self.end["run"].get("last_seq")

    def describe(self, what):
        if self.end is None:
            return f"{what}: no end"
        if self.end.get("type") != "end":
            return f"{what}: {json.dumps(self.end)[:500]}"
        return (f"{what}: {self.n} events, last seq {self.last}, end {self.end['run']['status']} last_seq {self.end['run'].get('last_seq')}"
                + (f", out of order (expected, got): {self.bad}" if self.bad else ""))


class Reply:
    """The one reply of a plain request (as a Follower's `end`, with the time it arrived)."""

    def __init__(self, req_id):
        self.req_id, self.end, self.t_end = req_id, None, None

    def take(self, line, now):
        m = json.loads(line)
        if m.get("id") == self.req_id:
            self.end, self.t_end = m, now

    def describe(self, what):
        return f"{what}: {'no reply' if self.end is None else json.dumps(self.end)[:500]}"


def read_all(conns_followers, deadline):
    """Reads several connections at once until each Follower or Reply has its end; timestamps each frame on
    arrival. conns_followers: {Conn: [Follower or Reply]}."""
    while True:
        waiting = [c for c, fs in conns_followers.items() if any(f.end is None for f in fs)]
        if not waiting:
            return
        left = deadline - time.monotonic()
        ready = select.select([c.s for c in waiting], [], [], max(0, left))[0] if not any(c.pending for c in waiting) else []
        if not ready and not any(c.pending for c in waiting):
            for c in waiting:
                c.daemon.check()
            raise Failure(", ".join(f.describe(c.label) for c in waiting for f in conns_followers[c])
                          + f": no end within {FRAME_TIMEOUT} s")
        now = time.perf_counter()
        for c in waiting:
            if c.s in ready:
                c.recv_some()
            while c.pending:
                line = c.pending.popleft()
                for f in conns_followers[c]:
                    f.take(line, now)


# --- the scenarios


def stored(d, workflow="huge"):
    """One run streamed to its starter: (events, events/s from start's reply to `end`, run_id)."""
    c = Conn(d, f"start {workflow} on {d.name}")
    try:
        c.send({"id": 1, "op": "start", "workflow": workflow, "input": "x", "stream": True})
        run_id = c.result(1, "start")["run_id"]
        t0 = time.perf_counter()
        f = Follower(c, 1).to_end()
        if not f.seqs_ok() or f.end["run"]["status"] != "COMPLETED":
            raise Failure(f.describe(f"run {run_id} on agnod {d.name}"))
        return f.n, f.n / (f.t_end - t0), run_id
    finally:
        c.close()


def delivered(host_a, host_b):
    """A run started on host A (nobody streaming it there), read live from host B from seq 1 on:
    (events, events/s from the stream request to `end`, seqs 1..N without gap or duplicate, run_id)."""
    a, b = Conn(host_a, "start on host A"), Conn(host_b, "reader on host B")
    try:
        a.send({"id": 1, "op": "start", "workflow": "huge", "input": "x"})
        run_id = a.result(1, "start")["run_id"]
        t0 = time.perf_counter()
        b.send({"id": 7, "op": "stream", "run_id": run_id, "after_seq": 0})
        f = Follower(b, 7).to_end()
        if f.end is None or f.end.get("type") != "end" or f.end["run"]["status"] != "COMPLETED":
            raise Failure(f.describe(f"run {run_id} of host A read on host B"))
        return f.n, f.n / (f.t_end - t0), f.seqs_ok(), f.describe("reader on host B"), run_id
    finally:
        a.close()
        b.close()


def replay(d, run_id):
    """A finished run read from seq 1 by one reader: events/s (checked: every seq, in order)."""
    c = Conn(d, f"replay of {run_id} on {d.name}")
    try:
        t0 = time.perf_counter()
        c.send({"id": 3, "op": "stream", "run_id": run_id, "after_seq": 0})
        f = Follower(c, 3).to_end()
        if not f.seqs_ok():
            raise Failure(f.describe(f"replay of {run_id} on agnod {d.name}"))
        return f.n / (f.t_end - t0)
    finally:
        c.close()


def cancels(run_host, cancel_host, runs, reader_host=None, label=""):
    """Cancel -> `end` (ms): a run on the 20 ms/token model streamed to its starter on run_host; once 3 RunContent
    arrived (and, with reader_host, a reader there has seen 3 too), `cancel` is sent to cancel_host. Returns
    (ms to the starter's end, ms to the reader's end or [], ms to the cancel's reply, runs that ended as they should)."""
    to_end, to_reader, to_reply, good = [], [], [], 0
    for _ in range(runs):
        a = Conn(run_host, f"{label}: starter on {run_host.name}")
        b = Conn(cancel_host, f"{label}: cancel sent to {cancel_host.name}")
        r = Conn(reader_host, f"{label}: reader on {reader_host.name}") if reader_host else None
        try:
            a.send({"id": 1, "op": "start", "workflow": "stream", "input": "x", "stream": True})
            run_id = a.result(1, "start")["run_id"]
            fa = Follower(a, 1)
            fr = None
            if r:
                r.send({"id": 5, "op": "stream", "run_id": run_id, "after_seq": 0})
                fr = Follower(r, 5)
            fa.until(lambda f: f.content >= 3)
            if fr:
                fr.until(lambda f: f.content >= 3)
            for f, who in [(fa, "starter"), (fr, "reader")]:
                if f and f.end is not None:
                    raise Failure(f.describe(f"{label}: the {who} of run {run_id} before the cancel"))
            reply = Reply(2)
            t0 = time.perf_counter()
            b.send({"id": 2, "op": "cancel", "run_id": run_id})
            watch = {a: [fa], b: [reply]}
            if r:
                watch[r] = [fr]
            read_all(watch, time.monotonic() + FRAME_TIMEOUT)
            if reply.end.get("type") != "result" or reply.end["result"].get("cancelled") is not True:
                raise Failure(f"{label}: cancel of {run_id} sent to agnod {cancel_host.name} answered {json.dumps(reply.end)[:500]}")
            to_end.append((fa.t_end - t0) * 1000)
            to_reply.append((reply.t_end - t0) * 1000)
            ok = fa.end.get("type") == "end" and fa.end["run"]["status"] == "CANCELLED" and not fa.bad
            if fr:
                to_reader.append((fr.t_end - t0) * 1000)
                ok = ok and fr.seqs_ok() and fr.end["run"]["status"] == "CANCELLED"
            if ok:
                good += 1
            else:
                progress(f"{label}: run {run_id}: " + fa.describe("starter") + ("; " + fr.describe("reader") if fr else ""))
        finally:
            for c in (a, b, r):
                if c:
                    c.close()
    return to_end, to_reader, to_reply, good


def agnoctl_status(agnoctl, d, run_id):
    out = subprocess.run([agnoctl, "status", run_id, "--json"], env={**os.environ, "AGNOD_SOCKET": d.sock}, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise Failure(f"agnoctl status {run_id} on agnod {d.name} failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout)


# --- output


def rate_cell(rates):
    rates = sorted(rates)
    if len(rates) == 1:
        return f"{rates[0]:,.0f}"
    return f"{statistics.median(rates):,.0f} ({rates[0]:,.0f}–{rates[-1]:,.0f})"


def ms_cell(ms):
    s = stats(ms)
    return "—" if s is None else f"{s['median']:.2f} / {s['p99']:.2f} (max {max(ms):.1f})"


def markdown(header, rows):
    return "\n".join(["| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows])


def write_docs(path, section):
    old = open(path).read() if os.path.exists(path) else ""
    begin, end = old.find(BEGIN), old.find(END)
    if begin >= 0 and end > begin:
        text = old[:begin] + section + old[end + len(END):]
    else:
        text = old + ("" if old.endswith("\n") or not old else "\n") + ("\n" if old else "") + section + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agnod", required=True)
    p.add_argument("--agnoctl", required=True)
    p.add_argument("--quick", action="store_true", help="1 repetition and 20 cancels per row (a check that every row works)")
    p.add_argument("--write", action="store_true", help="replace the cluster section of docs/benchmarks.md (appended when absent)")
    p.add_argument("--docs", default=os.path.join(HERE, "..", "..", "docs", "benchmarks.md"))
    p.add_argument("--pg-setting", action="append", default=[], metavar="NAME=VALUE",
                   help="an extra PostgreSQL setting (-c), e.g. fsync=off or log_min_duration_statement=0 (to profile)")
    a = p.parse_args()
    for b in (a.agnod, a.agnoctl):
        if not os.access(b, os.X_OK):
            raise Failure(f"{b}: not an executable (build it: swift build -c release --product agnod/agnoctl)")
    reps = 1 if a.quick else 3
    ncancel = 20 if a.quick else 100
    started, load_before = time.time(), os.getloadavg()[0]

    progress("starting PostgreSQL, model servers, agnod on SQLite and hosts A and B on PostgreSQL")
    pg = Postgres(a.pg_setting)
    providers = {"huge": model_server("huge", f"0, None, tokens={HUGE_TOKENS}"), "stream": model_server("stream", "0.02, None")}
    lite = Agnod(a.agnod, "sqlite", providers)
    env = {PASSWORD_ENV: pg.password}
    store = {"backend": "postgres", "url": pg.url(), "password_env": PASSWORD_ENV, "lease": "2s"}
    host_a = Agnod(a.agnod, "host-a", providers, {**store, "host_id": "host-a"}, env)
    host_b = Agnod(a.agnod, "host-b", providers, {**store, "host_id": "host-b"}, env)
    hosts = pg.sql("SELECT string_agg(host_id, ',' ORDER BY host_id) FROM hosts").strip()
    if hosts != "host-a,host-b":
        raise Failure(f"the hosts table names {hosts!r}, not host-a,host-b: the two agnod did not both register")

    progress("warm-up runs")
    for d in (lite, host_a):
        stored(d, "huge")
    progress(f"events stored: one run of {HUGE_TOKENS:,} chunks, {reps} on each store, alternating")
    lite_rates, pg_rates = [], []
    for _ in range(reps):
        n, rate, lite_run = stored(lite)
        lite_rates.append(rate)
        n_pg, rate, _ = stored(host_a)
        pg_rates.append(rate)
        if n_pg != n:
            raise Failure(f"the same workflow made {n:,} events on SQLite and {n_pg:,} on PostgreSQL")
    progress("events delivered across hosts: run on host A, read live on host B")
    cross_rates, checks = [], []
    for _ in range(reps):
        n_x, rate, ok, text, cross_run = delivered(host_a, host_b)
        cross_rates.append(rate)
        checks.append(ok)
        if not ok:
            progress(text)
    summary_b = agnoctl_status(a.agnoctl, host_b, cross_run)
    status_check = summary_b.get("status") == "COMPLETED" and summary_b.get("last_seq") == n_x
    progress("replays of the finished runs")
    lite_replay = [replay(lite, lite_run), replay(lite, lite_run)]
    pg_replay = [replay(host_b, cross_run), replay(host_b, cross_run)]

    progress(f"cancel -> end: {ncancel} on SQLite")
    lite_c = cancels(lite, lite, ncancel, label="SQLite same host")
    progress(f"cancel -> end: {ncancel} on PostgreSQL, same host")
    pg_c = cancels(host_a, host_a, ncancel, label="PostgreSQL same host")
    progress(f"cancel -> end: {ncancel} across hosts (run on A, cancel sent to B, readers on A and B)")
    x_c = cancels(host_a, host_b, ncancel, reader_host=host_b, label="across hosts")
    for d in (lite, host_a, host_b):
        d.check()

    x99 = stats(x_c[0])["p99"]
    header = ("scenario", "SQLite (one agnod)", "PostgreSQL, same host", "PostgreSQL, across hosts", "check")
    rows = [
        (f"one run of {HUGE_TOKENS:,} chunks ({n:,} events) stored, streamed to its starter (events/s, median of {reps}{' (min–max)' if reps > 1 else ''})",
         rate_cell(lite_rates), rate_cell(pg_rates), "—", f"every run COMPLETED, seqs 1..{n:,}"),
        (f"same run on host A, read live from seq 1 by a reader on host B (events/s, median of {reps})", "—", "—", rate_cell(cross_rates),
         f"seqs 1..{n_x:,} without gap or duplicate: {sum(checks)}/{len(checks)}; `agnoctl status` on B: "
         + ("COMPLETED, last_seq matches" if status_check else f"{summary_b.get('status')} last_seq {summary_b.get('last_seq')}")),
        ("replay of the finished run to one reader, first read / again (events/s)",
         f"{lite_replay[0]:,.0f} / {lite_replay[1]:,.0f}", "—", f"{pg_replay[0]:,.0f} / {pg_replay[1]:,.0f} (read on host B)", "every seq, in order"),
        (f"cancel → `end` on the starter's stream, model streaming 20 ms/token (ms, p50 / p99 (max), {ncancel} cancels)",
         ms_cell(lite_c[0]), ms_cell(pg_c[0]), ms_cell(x_c[0]) + " (run on A, cancel sent to B, `end` on A)",
         f"CANCELLED: {lite_c[3]}/{ncancel}, {pg_c[3]}/{ncancel}, {x_c[3]}/{ncancel}; cross-host p99 ≤ 20 ms: {'met' if x99 <= 20 else 'not met'}"),
        ("same cancels across hosts: `end` seen by a reader on host B (ms, p50 / p99 (max))", "—", "—", ms_cell(x_c[1]),
         f"its seqs without gap, CANCELLED; later than 100 ms: {sum(1 for x in x_c[1] if x > 100)}/{ncancel}"),
        ("cancel's reply (ms, p50 / p99 (max))", ms_cell(lite_c[2]), ms_cell(pg_c[2]), ms_cell(x_c[2]) + " (host B: UPDATE + pg_notify committed)", "cancelled: true"),
    ]
    print(markdown(header, rows))
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    extra = f", extra settings {', '.join(a.pg_setting)}" if a.pg_setting else ""
    section = "\n".join([
        BEGIN,
        "## Several hosts on one PostgreSQL store",
        f"Written by `scripts/bench-cluster{' --quick' if a.quick else ''}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
        f"({time.time() - started:.0f} s). Machine: {platform.platform()}, {os.cpu_count()} cores ({cpu}); "
        f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end (other jobs on the machine raise it).",
        f"PostgreSQL {pg.version} on loopback in a temp dir (fsync={pg.fsync[0]}, synchronous_commit={pg.fsync[1]}{extra}); "
        "agnod on SQLite with its default `store.durability: process` (no fsync per commit); hosts A and B are two agnod "
        "processes on this machine with `store.backend: postgres`, `lease: 2s`. Model: `scripts/measure.py`'s scripted server "
        f"({HUGE_TOKENS:,} chunks at once; 20 ms per token for the cancels). Every process shares the same cores.",
        "",
        markdown(header, rows),
        END,
    ])
    if a.write:
        write_docs(os.path.abspath(a.docs), section)
        progress(f"wrote the cluster section of {os.path.abspath(a.docs)}")
    progress(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    try:
        main()
    except Failure as e:
        print(f"[cluster] FAILED: {e}", file=sys.stderr)
        sys.exit(1)
