#!/usr/bin/env python3
"""agnod against agno on the same scripted OpenAI-compatible model servers, one run of this script for
both sides, so ratios compare like with like. Prints a table and writes docs/benchmarks.md.

Usage (scripts/bench does the set-up): bench.py --agnod BIN --agnoctl BIN --agno-python PY [--quick]
"""
import argparse, json, os, platform, socket, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from measure import Conn, measure as cancel_latencies, server_stats  # noqa: E402
sys.path.insert(0, HERE)
from fastread import drain  # noqa: E402

PORTS = {"fast": 18701, "stream": 18702, "stall": 18703, "slow": 18704, "huge": 18705, "tool": 18706, "toolhttp": 18707,
         "native": 18711, "nativeslow": 18712, "nativestall": 18713}
# The native model server (AgnoTesting's NIO server, `agno-scripted-model`): the same answers as the Python one.
NATIVE = {"native": ["--tokens", "100"], "nativeslow": ["--tokens", "600", "--delay-ms", "1000"],
          "nativestall": ["--tokens", "100", "--stall-after", "3"]}
FIXTURE_MCP = os.path.join(HERE, "..", "..", "Tests", "AgnoMCPTests", "Fixtures", "test_server.py")


def model_servers(native=None):
    """One process per model, so that the servers do not share the benchmark's GIL; with `native` (the
    agno-scripted-model binary) also the native servers."""
    specs = {"fast": "0, None, tokens=100", "stream": "0.02, None", "stall": "0.02, 3", "slow": "1.0, None",
             "huge": "0, None, tokens=50000", "tool": "0, None, tokens=5, tool='t_hang'",
             "toolhttp": "0, None, tokens=5, tool='h_hold'"}
    procs = []
    for name, args in specs.items():
        code = (f"import sys, time; sys.path.insert(0, {os.path.dirname(HERE)!r}); from measure import serve; "
                f"serve({PORTS[name]}, {args}); time.sleep(10**6)")
        procs.append(subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    if native:
        for name, args in NATIVE.items():
            procs.append(subprocess.Popen([native, "--port", str(PORTS[name]), *args], stdout=subprocess.DEVNULL))
    for name, port in PORTS.items():
        if name in specs or native:
            wait_port(port)
    return procs


def harness_floor(port, runs):
    """The model alone: what a 2-step run's two streamed answers of 100 chunks cost a bare client (raw
    socket, one keep-alive connection, reading to the last chunk, parsing nothing). ms per pair of answers."""
    body = json.dumps({"model": "m", "stream": True, "stream_options": {"include_usage": True},
                       "messages": [{"role": "user", "content": "x"}]}).encode()
    request = (b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               b"Accept: text/event-stream\r\nContent-Length: %d\r\n\r\n" % len(body)) + body
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def answer():
        s.sendall(request)
        tail = b""
        while not tail.endswith(b"\r\n0\r\n\r\n"):
            data = s.recv(1 << 16)
            if not data:
                raise SystemExit(f"the model server on port {port} closed the connection")
            tail = (tail + data)[-16:]
    out = []
    for i in range(runs + 3):
        t0 = time.perf_counter()
        answer()
        answer()
        if i >= 3:
            out.append((time.perf_counter() - t0) * 1000)
    s.close()
    return out


def wait_port(port, tries=100):
    """Until something accepts on 127.0.0.1:port (at most `tries` × 50 ms)."""
    for _ in range(tries):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)


def stats(ms):
    ms = sorted(x for x in ms if x is not None)
    if not ms:
        return None
    return {"median": statistics.median(ms), "p99": ms[min(len(ms) - 1, int(len(ms) * 0.99))], "n": len(ms)}


class HoldServer:
    """The MCP fixture's `hang` tool calls this and never gets an answer: arrivals say the tool is running,
    closed connections say its process is gone."""
    def __init__(self):
        import http.server
        self.arrived, self.closed = 0, 0
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with outer.cond:
                    outer.arrived += 1
                    outer.cond.notify_all()
                self.rfile.read()  # until the tool's process dies and the kernel closes its socket
                with outer.cond:
                    outer.closed += 1
                    outer.cond.notify_all()

            def log_message(self, *args):
                pass
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def wait(self, attr, n, timeout=30):
        with self.cond:
            return self.cond.wait_for(lambda: getattr(self, attr) >= n, timeout)


def mcp_http_server(python, hold_url):
    """The MCP fixture serving streamable HTTP on a free loopback port; returns (process, url)."""
    env = dict(os.environ, AGNOD_TEST_NOTIFY_URL=hold_url)
    proc = subprocess.Popen([python, os.path.abspath(FIXTURE_MCP), "--http"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    for line in proc.stdout:
        if line.startswith("listening on "):
            return proc, f"http://127.0.0.1:{int(line.split()[2])}/mcp"
    raise SystemExit("the MCP fixture HTTP server did not start")


# 20 nodes (constructs and agent steps), every v2 construct, CEL in the Loop, Router and Condition; on the
# `fast` model 13 agent steps run: web, papers, refine[1..2]/{draft,critique}, writing/{outline,compose},
# polish/{edit,proof} (the Condition is false: else_steps), finish/{summary,title}, publish.
NESTED = """name: nested
agents:
  a:
    model: fast:m
steps:
  - type: Parallel
    name: gather
    steps:
      - {name: web, agent: a}
      - {name: papers, agent: a}
      - type: Loop
        name: refine
        max_iterations: 2
        end_condition: 'last_step_content.contains("DONE")'
        steps:
          - {name: draft, agent: a}
          - {name: critique, agent: a}
  - type: Router
    name: route
    selector: 'input.contains("code") ? "coder" : "writing"'
    choices:
      - type: Steps
        name: writing
        steps:
          - {name: outline, agent: a}
          - {name: compose, agent: a}
      - {name: coder, agent: a}
  - type: Condition
    name: check
    evaluator: 'previous_step_content.contains("TODO")'
    steps:
      - {name: fix, agent: a}
    else_steps:
      - type: Steps
        name: polish
        steps:
          - {name: edit, agent: a}
          - {name: proof, agent: a}
  - type: Steps
    name: finish
    steps:
      - {name: summary, agent: a}
      - {name: title, agent: a}
  - {name: publish, agent: a}
"""
NESTED_NODES, NESTED_AGENT_RUNS = 20, 13
PAR8 = "name: par8\nagents:\n  a:\n    model: stall:m\nsteps:\n  - type: Parallel\n    name: fan\n    steps:\n" + \
    "".join(f"      - {{name: b{i}, agent: a}}\n" for i in range(1, 9))


class Agnod:
    def __init__(self, binary, mcp_python=None, hold_url=None, mcp_url=None, v2=True, extra=None):
        """v2: also the workflows only the new engine reads (the previous release gets the rest, same config)."""
        self.dir = tempfile.mkdtemp(prefix="agnod-bench-")
        os.makedirs(self.dir + "/wf")
        for name in PORTS:
            open(f"{self.dir}/wf/{name}.yaml", "w").write(
                f"name: {name}\nagents:\n  a:\n    model: {name}:m\nsteps:\n  - name: research\n    agent: a\n  - name: writing\n    agent: a\n")
        if v2:
            open(f"{self.dir}/wf/nested.yaml", "w").write(NESTED)
            open(f"{self.dir}/wf/par8.yaml", "w").write(PAR8)
        if mcp_python:
            open(f"{self.dir}/wf/toolhang.yaml", "w").write(
                "name: toolhang\nagents:\n  a:\n    model: tool:m\n    tools: [t.hang]\nsteps:\n  - name: s\n    agent: a\n")
        if mcp_url:
            open(f"{self.dir}/wf/toolhttp.yaml", "w").write(
                "name: toolhttp\nagents:\n  a:\n    model: toolhttp:m\n    tools: [h.hold]\nsteps:\n  - name: s\n    agent: a\n")
        self.sock = self.dir + "/a.sock"
        cfg = {"socket": self.sock, "state_dir": self.dir + "/state", "workflows_dir": self.dir + "/wf",
               "limits": {"active_runs": 20000, "active_runs_per_user": 20000, "queued_runs_per_user": 20000,
                          "connections_per_user": 1000, "requests_per_connection": 1000},
               "providers": {n: {"base_url": f"http://127.0.0.1:{p}/v1"} for n, p in PORTS.items()}}
        if mcp_python:
            cfg["mcp_servers"] = {"t": {"command": [mcp_python, os.path.abspath(FIXTURE_MCP)], "cancel_grace": 0.5,
                                        "env": {"AGNOD_TEST_NOTIFY_URL": hold_url}}}
        if mcp_url:
            cfg["mcp_servers"]["h"] = {"url": mcp_url, "cancel_grace": 0.5}
        cfg.update(extra or {})
        open(self.dir + "/c.yaml", "w").write(json.dumps(cfg))
        self.log = open(self.dir + "/agnod.log", "w")
        self.proc = subprocess.Popen([binary, "--config", self.dir + "/c.yaml", "--log-level", os.environ.get("LOGLEVEL", "warning")], stdout=self.log, stderr=self.log)
        for _ in range(400):
            if os.path.exists(self.sock):
                return
            time.sleep(0.05)
        raise SystemExit("agnod did not start")

    def rss_kib(self):
        for line in open(f"/proc/{self.proc.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def until_end(conn, req_id):
    """Counts event frames for req_id until its end, parsing only the end (the reader must not be the bottleneck)."""
    prefix = b'{"id":%d,"type":"event"' % req_id
    n = 0
    while True:
        line = conn.f.readline()
        if not line:
            raise SystemExit("agnod closed the connection")
        if line.startswith(prefix):
            n += 1
            continue
        m = json.loads(line)
        if m.get("id") == req_id and m["type"] in ("end", "error"):
            return n, m


def agnod_sequential(d, runs, workflow="fast"):
    out = []
    c = Conn(d.sock)
    for i in range(runs + 3):
        t0 = time.perf_counter()
        c.send({"id": i, "op": "start", "workflow": workflow, "input": "x", "stream": True})
        until_end(c, i)
        if i >= 3:
            out.append((time.perf_counter() - t0) * 1000)
    return out


def ab_sequential(daemons, runs, block=10, workflow="fast"):
    """agnod_sequential on several daemons at once, in alternating blocks of `block` runs (ABBA order), so
    that the machine's drift over the measurement falls on every daemon alike. One list of ms per daemon."""
    conns = [Conn(d.sock) for d in daemons]
    ids = [0] * len(daemons)
    out = [[] for _ in daemons]

    def one(k):
        i = ids[k]
        ids[k] += 1
        t0 = time.perf_counter()
        conns[k].send({"id": i, "op": "start", "workflow": workflow, "input": "x", "stream": True})
        until_end(conns[k], i)
        return (time.perf_counter() - t0) * 1000
    for k in range(len(daemons)):
        for _ in range(3):
            one(k)
    r = 0
    while any(len(o) < runs for o in out):
        order = range(len(daemons)) if r % 2 == 0 else reversed(range(len(daemons)))
        for k in order:
            for _ in range(min(block, runs - len(out[k]))):
                out[k].append(one(k))
        r += 1
    return out


def nested_sequential(d, runs):
    """The 20-node workflow, sequentially: ms per run and events per run. One run is read whole first and
    checked (COMPLETED, 20 nodes, 13 agent steps ran, the Router and the Condition's else branch taken)."""
    c = Conn(d.sock)
    c.send({"id": 1, "op": "workflows"})
    wf = next(w for w in c.recv()["result"]["workflows"] if w["name"] == "nested")
    assert len(wf["nodes"]) == NESTED_NODES, wf["nodes"]
    c.send({"id": 2, "op": "start", "workflow": "nested", "input": "x", "stream": True})
    kinds, started = {}, set()
    while True:
        m = c.recv()
        if m.get("type") == "event":
            e = m["event"]
            kinds[e["event"]] = kinds.get(e["event"], 0) + 1
            if e["event"] == "RunStarted":
                started.add(e.get("step_path"))
        elif m.get("type") in ("end", "error"):
            break
    assert m["type"] == "end" and m["run"]["status"] == "COMPLETED", m
    assert len(started) == NESTED_AGENT_RUNS, sorted(started)
    assert "refine[2]/critique" in " ".join(p for p in started if p), sorted(started)
    assert kinds.get("RouterExecutionCompleted") == 1 and kinds.get("ConditionExecutionCompleted") == 1, kinds
    ms, events = [], []
    for i in range(runs + 3):
        t0 = time.perf_counter()
        c.send({"id": 10 + i, "op": "start", "workflow": "nested", "input": "x", "stream": True})
        n, end = until_end(c, 10 + i)
        assert end["type"] == "end" and end["run"]["status"] == "COMPLETED", end
        if i >= 3:
            ms.append((time.perf_counter() - t0) * 1000)
            events.append(n)
    return ms, events, kinds


def parallel_cancel(d, runs, branches=8, port=PORTS["stall"]):
    """Cancel -> `end` of a Parallel of `branches` agent steps on the stalled model, sent once every branch
    has streamed its first chunk and every branch's model stream has reached its stall (the server's
    counter). Checks each run: CANCELLED, exactly `branches` RunCancelled. Returns (ms list, runs that
    ended as they should, model streams closed, model streams stalled)."""
    before = server_stats(port)
    out, good = [], 0
    for i in range(runs):
        a, b = Conn(d.sock), Conn(d.sock)
        base = server_stats(port)["stalled"]
        a.send({"id": 1, "op": "start", "workflow": "par8", "input": "x", "stream": True})
        run_id = a.recv()["result"]["run_id"]
        first = {}
        cancelled = 0
        while len(first) < branches:
            m = a.recv()
            if m.get("type") == "event":
                e = m["event"]
                if e["event"] == "RunContent":
                    first[e.get("step_path")] = first.get(e.get("step_path"), 0) + 1
                elif e["event"] == "RunCancelled":
                    cancelled += 1
            elif m.get("type") in ("end", "error"):
                raise SystemExit(f"par8 ended before every branch streamed: {m}")
        deadline = time.time() + 10
        while server_stats(port)["stalled"] < base + branches and time.time() < deadline:
            time.sleep(0.005)
        t0 = time.perf_counter()
        b.send({"id": 2, "op": "cancel", "run_id": run_id})
        while True:
            m = a.recv()
            if m.get("type") == "event" and m["event"]["event"] == "RunCancelled":
                cancelled += 1
            elif m.get("type") in ("end", "error"):
                break
        out.append((time.perf_counter() - t0) * 1000)
        if m["type"] == "end" and m["run"]["status"] == "CANCELLED" and cancelled == branches:
            good += 1
        else:
            progress(f"par8 run {run_id}: {m.get('type')} {m.get('run', {}).get('status')}, {cancelled} RunCancelled")
        a.s.close()
        b.s.close()
    expected = runs * branches
    deadline = time.time() + 10
    while server_stats(port)["closed"] - before["closed"] < expected and time.time() < deadline:
        time.sleep(0.05)
    after = server_stats(port)
    return out, good, after["closed"] - before["closed"], after["stalled"] - before["stalled"]


def agnod_concurrent(d, clients, seconds):
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def client(k):
        c = Conn(d.sock)
        i = 0
        while time.perf_counter() < stop:
            c.send({"id": i, "op": "start", "workflow": "fast", "input": "x", "stream": True})
            until_end(c, i)
            i += 1
        done[k] = i
    t0 = time.perf_counter()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - t0)


def start_background(d, n, workflow="slow"):
    """n detached runs on one connection; returns once all are accepted."""
    c = Conn(d.sock)
    for first in range(0, n, 200):  # (not all at once: the replies must be read as they come)
        batch = range(first, min(n, first + 200))
        for i in batch:
            c.send({"id": i, "op": "start", "workflow": workflow, "input": "x"})
        for _ in batch:
            c.recv()
    return c


def wait_running(d, n, timeout=120):
    """Until no run waits for a slot (all n started), or the timeout."""
    c = Conn(d.sock)
    deadline = time.time() + timeout
    while time.time() < deadline:
        c.send({"id": 1, "op": "list", "status": ["PENDING"], "limit": 1, "all_users": True})
        if not c.recv()["result"]["runs"]:
            return True
        time.sleep(0.2)
    return False


def progress(text):
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def cancel_all(d):
    c = Conn(d.sock)
    c.send({"id": 1, "op": "list", "status": ["RUNNING", "PENDING"], "limit": 100000, "all_users": True})
    ids = [r["run_id"] for r in c.recv()["result"]["runs"]]
    for i, rid in enumerate(ids):
        c.send({"id": 10 + i, "op": "cancel", "run_id": rid})
    for _ in ids:
        c.recv()


def stream_request(d, req_id, run_id):
    s = socket.socket(socket.AF_UNIX)
    s.connect(d.sock)
    s.sendall(json.dumps({"id": req_id, "op": "stream", "run_id": run_id}).encode() + b"\n")
    return s


def fanout_replay(d, runs=3):
    """Replays of finished 100,010-event runs to one reader each: the first read of each run (from SQLite),
    then each run read twice more in a row (the second from the shared page cache). Median events/s."""
    c = Conn(d.sock)
    ids = []
    for i in range(runs):
        c.send({"id": i, "op": "start", "workflow": "huge", "input": "x", "stream": True})
        ids.append(until_end(c, i)[1]["run"]["run_id"])

    def replay(run_id):
        t0 = time.perf_counter()
        n = drain([(stream_request(d, 1, run_id), 1)])[0]
        return n, n / (time.perf_counter() - t0)
    cold = [replay(run_id)[1] for run_id in ids]
    warm = []
    for run_id in ids:
        replay(run_id)  # (a run's pages may have been evicted by the others: this read brings them back)
        n, rate = replay(run_id)
        warm.append(rate)
    return n, statistics.median(cold), statistics.median(warm)


def fanout_live(d, readers):
    """100 readers attach to one run as it starts and read it to its end (store first, then live)."""
    starter = Conn(d.sock)
    starter.send({"id": 1, "op": "start", "workflow": "huge", "input": "x"})
    run_id = starter.recv()["result"]["run_id"]
    t0 = time.perf_counter()
    counts = drain([(stream_request(d, 1, run_id), 1) for _ in range(readers)])
    return sum(counts), sum(counts) / (time.perf_counter() - t0)


def agno(py, *args):
    out = subprocess.run([py, os.path.join(HERE, "agno_side.py"), *args], capture_output=True, text=True, timeout=900)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise SystemExit(f"agno side failed: {out.stderr[-2000:]}")
    return json.loads(lines[-1])


def fmt(s):
    return "—" if s is None else f"{s['median']:.2f} / {s['p99']:.2f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--agnoctl", required=True)
    p.add_argument("--agno-python", required=True)
    p.add_argument("--quick", action="store_true", help="fewer runs and smaller scale (a check that it works)")
    p.add_argument("--scales", default="1000,10000", help="concurrent-run counts for the RSS scenario")
    p.add_argument("--mcp-python", help="python of a venv with mcp 1.x, for the MCP tool scenario (scripts/setup-mcp.sh)")
    p.add_argument("--docs", default=os.path.join(HERE, "..", "..", "docs", "benchmarks.md"))
    p.add_argument("--baseline-agnod", help="agnod of the previous release, for the A/B 2-step row (scripts/bench builds it)")
    p.add_argument("--baseline-rev", default="d0612f8", help="what --baseline-agnod was built from (for the table)")
    p.add_argument("--model-server", help="agno-scripted-model (AgnoTesting's NIO server): the native model server rows")
    a = p.parse_args()
    runs = 10 if a.quick else 30
    ab_runs = 20 if a.quick else 100  # per daemon, for the 2-step rows (p99 of 100, not the maximum of 30)
    par_runs = 10 if a.quick else 100  # the 8-branch cancel (>= 50 for the p99)
    nested_runs = 10 if a.quick else 50
    agno_nested_runs = 3 if a.quick else 10  # agno takes seconds per nested run
    scales = [100] if a.quick else [int(x) for x in a.scales.split(",") if x]
    servers = model_servers(a.model_server)
    rows = []
    hold = HoldServer() if a.mcp_python else None
    http_mcp, mcp_url = mcp_http_server(a.mcp_python, hold.url) if hold else (None, None)
    try:
        d = Agnod(a.agnod, a.mcp_python, hold.url if hold else None, mcp_url)
        try:
            # The model servers the 2-step rows run on: the Python one, and the native one when built.
            models = [("fast", "Python model server")] + ([("native", "native model server (Swift, NIO)")] if a.model_server else [])
            for wf, label in models:
                progress(f"harness floor, {label}")
                floor = stats(harness_floor(PORTS[wf], ab_runs))
                rows.append((f"harness floor, {label}: the model alone, the 2-step run's two answers of 100 chunks read by a bare client (ms, median / p99)",
                             "(the same server)", fmt(floor), "—"))
                progress(f"sequential runs, {label}" + (f" (this tree and {a.baseline_rev}, alternating)" if a.baseline_agnod else ""))
                if a.baseline_agnod:  # the same config and model servers; only the workflows it cannot read left out
                    old_d = Agnod(a.baseline_agnod, a.mcp_python, hold.url if hold else None, mcp_url, v2=False)
                    try:
                        seq_ms, old_ms = ab_sequential([d, old_d], ab_runs, workflow=wf)
                    finally:
                        old_d.stop()
                else:
                    seq_ms, old_ms = agnod_sequential(d, ab_runs, workflow=wf), None
                seq = stats(seq_ms)
                agno_seq = stats(agno(a.agno_python, "sequential", "--port", str(PORTS[wf]), "--runs", str(runs))["ms"])
                rows.append((f"2-step run, 100 chunks/step, sequential, {label} (ms, median / p99)", fmt(agno_seq), fmt(seq),
                             f"{seq['median'] / agno_seq['median']:.3f} (1/{agno_seq['median'] / seq['median']:.1f})"))
                over, agno_over = seq["median"] - floor["median"], agno_seq["median"] - floor["median"]
                rows.append((f"same, per-run overhead above the harness floor (ms, median − floor)", f"{agno_over:.2f}", f"{over:.2f}",
                             f"{over / agno_over:.3f} (1/{agno_over / over:.1f})"))
                if old_ms:
                    old = stats(old_ms)
                    rows.append((f"same, previous release ({a.baseline_rev}), same run, same config and model server (ms, {ab_runs} runs each, alternating blocks of 10)",
                                 "(as above)", fmt(old), f"{old['median'] / agno_seq['median']:.3f}"))
                    rows.append((f"same: this tree / previous release ({a.baseline_rev}), median; p99", "—",
                                 f"{seq['median'] / old['median']:.2f}; {seq['p99'] / old['p99']:.2f}", "—"))
            progress("64 concurrent clients")
            conc = agnod_concurrent(d, 64, 5 if a.quick else 10)
            agno_conc = agno(a.agno_python, "concurrent", "--port", str(PORTS["fast"]), "--clients", "64", "--seconds", "5" if a.quick else "10")["runs_per_s"]
            rows.append(("same, 64 concurrent clients (runs/s)", f"{agno_conc:.1f}", f"{conc:.1f}", f"{conc / agno_conc:.1f}× the runs"))
            progress("20-node nested workflow")
            nested_ms, nested_events, _ = nested_sequential(d, nested_runs)
            nested = stats(nested_ms)
            ev = sorted(nested_events)
            ev_text = f"{ev[0]:,}" if ev[0] == ev[-1] else f"{ev[0]:,}–{ev[-1]:,}"
            theirs = agno(a.agno_python, "nested", "--port", str(PORTS["fast"]), "--runs", str(agno_nested_runs))
            t = stats(theirs.get("ms", []))
            if t and theirs.get("status") == "WorkflowCompleted" and len(theirs["ran"]) == NESTED_AGENT_RUNS - 2:  # (11 names: both iterations of draft and critique)
                tev = sorted(theirs["events"])
                agno_cell = f"{fmt(t)}; {tev[len(tev) // 2]:,} events/run ({agno_nested_runs} runs)"
                ratio = f"{nested['median'] / t['median']:.3f}"
            else:
                agno_cell, ratio = f"— ({theirs.get('error') or theirs.get('status')}, ran {theirs.get('ran')})", "—"
            rows.append(("20-node nested workflow (Parallel of 3 with a Loop of 2, Router → Steps, Condition → else Steps, Steps; CEL; "
                         f"13 agent steps of 100 chunks), sequential (ms, median / p99; events per run)", agno_cell,
                         f"{fmt(nested)}; {ev_text} events/run ({nested_runs} runs)", ratio))
            for wf, label in [("stream", "model streaming 20 ms/token"), ("stall", "model stalled")]:
                mine = stats(cancel_latencies(d.sock, wf, runs))
                theirs = agno(a.agno_python, "cancel", "--port", str(PORTS[wf]), "--runs", str(runs), "--seconds", "3")["ms"]
                t = stats(theirs)
                rows.append((f"cancel → end, {label}, alone (ms)", fmt(t) if t and None not in theirs else "never (3 s cap)", fmt(mine),
                             f"{mine['median'] / t['median']:.3f}" if t and None not in theirs else "—"))
            progress("cancel a Parallel of 8 branches on a stalled model")
            par_ms, par_good, par_closed, par_stalled = parallel_cancel(d, par_runs)
            rows.append((f"cancel → end, Parallel of 8 branches on a stalled model, alone (ms, {par_runs} cancels)", "—",
                         f"{fmt(stats(par_ms))}; CANCELLED with 8 RunCancelled: {par_good}/{par_runs}; "
                         f"model streams closed: {par_closed}/{par_runs * 8}" + ("" if par_stalled == par_runs * 8 else f" ({par_stalled} stalled)"), "—"))
            if hold:
                progress("cancel while an MCP tool hangs")
                before, expected = hold.closed, [hold.arrived]

                def tool_running():  # each run's hang call reaches the hold server once
                    expected[0] += 1
                    hold.wait("arrived", expected[0])
                mine = stats(cancel_latencies(d.sock, "toolhang", runs, until="ToolCallStarted", count=1, ready=tool_running))
                gone = hold.wait("closed", before + runs, timeout=30)
                rows.append(("cancel → end, run inside an MCP tool that never returns (ms)", "never (agno checks between events)",
                             fmt(mine) + f"; hung processes killed: {hold.closed - before}/{runs}" + ("" if gone else " (not all)"), "—"))
                progress("cancel while a streamable-HTTP MCP server's tool waits")
                before = hold.closed
                mine = stats(cancel_latencies(d.sock, "toolhttp", runs, until="ToolCallStarted", count=1, ready=tool_running))
                ended = hold.wait("closed", before + runs, timeout=30)
                rows.append(("same, the tool on a streamable-HTTP MCP server (ms)", "never",
                             fmt(mine) + f"; tool calls stopped by the server: {hold.closed - before}/{runs}" + ("" if ended else " (not all)"), "—"))
            progress("cancel latency alone done; starting background runs")
            background = 100 if a.quick else 1000
            start_background(d, background)
            wait_running(d, background)
            progress(f"agno: cancel with {background} other runs active")
            loaded = agno(a.agno_python, "cancel", "--port", str(PORTS["stream"]), "--runs", str(runs), "--seconds", "3",
                          "--background", str(background), "--background-port", str(PORTS["slow"]))
            loaded_runs = runs if a.quick else 100  # p99 of 100 samples, not the maximum of 30
            for wf, label in [("stream", "model streaming"), ("stall", "model stalled")]:
                mine = stats(cancel_latencies(d.sock, wf, loaded_runs))
                if wf == "stream":
                    t = stats(loaded["ms"])
                    theirs = fmt(t) if t and None not in loaded["ms"] else "never (3 s cap)"
                    ratio = f"{mine['median'] / t['median']:.3f}" if t and None not in loaded["ms"] else "—"
                else:
                    theirs, ratio = "never (as alone)", "—"
                rows.append((f"cancel → end, {label}, {background} other runs active (ms, {loaded_runs} cancels)", theirs, fmt(mine), ratio))
            agno_scale = (f"1 token/s model: {loaded['rss_mb']:.0f} MB, {loaded['rss_per_run_kb']:.0f} KB/run; {loaded['background_start_s']:.1f} s"
                          + ("" if loaded["background_running"] >= background else f" ({loaded['background_running']} streaming)"))
            cancel_all(d)
            progress("fan-out")
            n, cold, warm = fanout_replay(d)
            rows.append((f"replay of a finished {n:,}-event run to one reader, first read / again (events/s)", "—", f"{cold:,.0f} / {warm:,.0f}", "—"))
            total, rate = fanout_live(d, 100)
            rows.append((f"one run live to 100 readers, aggregate ({total:,} events, events/s)", "—", f"{rate:,.0f}", "—"))
            progress("agnoctl status")
            t = []
            for _ in range(20):
                t0 = time.perf_counter()
                subprocess.run([a.agnoctl, "status", "nonexistent"], env={**os.environ, "AGNOD_SOCKET": d.sock}, capture_output=True)
                t.append((time.perf_counter() - t0) * 1000)
            rows.append(("`agnoctl status` round trip, whole process (ms)", "—", fmt(stats(t)), "—"))
        finally:
            d.stop()
        stalled = "nativestall" if a.model_server else "stall"
        for n in scales:
            for binary, who in [(a.agnod, "this tree")] + ([(a.baseline_agnod, f"previous release ({a.baseline_rev})")] if a.baseline_agnod else []):
                progress(f"scale: {n:,} runs, {who}")
                d = Agnod(binary, v2=binary == a.agnod)
                try:
                    base = d.rss_kib()
                    t0 = time.perf_counter()
                    start_background(d, n, workflow=stalled)
                    last = time.perf_counter()
                    ok = wait_running(d, n, timeout=300)
                    running = time.perf_counter() - last
                    rss = max(d.rss_kib() for _ in range(10) if time.sleep(0.2) is None)  # the highest of 2 s of samples
                    rows.append((f"{n:,} concurrent runs on a stalled model ({'native' if a.model_server else 'Python'} server), {who}: RSS, per run; "
                                 "time to accept them all; all RUNNING after the last start", agno_scale if n == background and binary == a.agnod else "—",
                                 f"{rss / 1024:.0f} MB, {(rss - base) / n:.0f} KB/run; {last - t0:.1f} s; {running:.1f} s" + ("" if ok else " (not all RUNNING)"), "—"))
                finally:
                    d.stop()
        imp = agno(a.agno_python, "import")
        rows.append(("agno: import + workflow set-up, peak RSS (MB)", f"{imp['rss_mb']:.0f}", "—", "—"))
    finally:
        for s in servers:
            s.kill()
        if http_mcp:
            http_mcp.kill()
    header = ("scenario", "agno 3.x in-process", "agnod (socket)", "agnod / agno")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(4)]
    table = [" | ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in [header] + rows]
    print("\n".join(table))
    write_docs(a, rows, header)


def write_docs(a, rows, header):
    agno_version = subprocess.run([a.agno_python, "-c", "import importlib.metadata as m; print(m.version('agno'))"], capture_output=True, text=True).stdout.strip()
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0] if subprocess.run(["which", "swift"], capture_output=True).returncode == 0 else "?"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "<!-- bench:begin (written by scripts/bench; the text after bench:end is kept) -->",
        f"Written by `scripts/bench` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores ({cpu}), {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB.",
        f"agno {agno_version} (PyPI, in-process, `OpenAILike` model, streaming); agnod {os.path.basename(a.agnod)} release build; {swift}.",
        *([f"Previous release: agnod at {a.baseline_rev} (`git archive`, the same Package.resolved), release build, run beside this tree's."] if a.baseline_agnod else []),
        "Both sides use the same scripted OpenAI-compatible servers: `scripts/measure.py`'s (Python, asyncio), and where a row says so the native one"
        " (`agno-scripted-model`: AgnoTesting's server on NIO event loops, release build), one process each.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ] + ["| " + " | ".join(str(c) for c in r) + " |" for r in rows] + ["<!-- bench:end -->"]
    generated = "\n".join(lines)
    old = open(a.docs).read() if os.path.exists(a.docs) else ""
    begin, end = old.find("<!-- bench:begin"), old.find("<!-- bench:end -->")
    if begin >= 0 and end > begin:
        text = old[:begin] + generated + old[end + len("<!-- bench:end -->"):]
    else:
        text = "# Benchmarks: agnod and agno, measured in one run\n\n" + generated + "\n"
    with open(a.docs, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
