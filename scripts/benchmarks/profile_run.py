#!/usr/bin/env python3
"""Where agnod's CPU goes per event: sequential 2-step runs (100 chunks per step) on a scripted model server,
agnod's own CPU time (utime + stime from /proc) per event, and a perf profile of the same runs with every
sample put in one bucket (SSE parse, event building and encoding, store commit, socket write to the reader,
task switches, ...) by the first frame of its stack, leaf first, that names one.

Usage (scripts/profile does the set-up): profile_run.py --agnod BIN [--model-server BIN] [--runs N] [--perf]
"""
import argparse, collections, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from bench import PORTS, Agnod, fanout_live, fanout_replay, until_end, wait_port  # noqa: E402
from measure import Conn, serve  # noqa: E402

# Leaf first: the first frame matching a bucket decides. Order matters where one frame could match two.
BUCKETS = [
    ("SSE parse and chunk into the turn", ["SSEParser", "ChatStreamAccumulator", "JSONValue.parse", "JSONParser", "JSONValueParser"]),
    ("event building and encoding", ["RunEvents", "EncodedEvent", "JSONValue.encode", "JSONValue.write", "EventName", "AgentEvent", "StepEvent", "WorkflowEvent", "encodedString"]),
    ("store commit (SQLite, GRDB, the writer)", ["sqlite3", "GRDB", "SQLiteRunStore", "StoreWriter", "StoreBatch", "EventPageCache"]),
    ("frames to the reader (pump, NIO socket write)", ["StreamPump", "writeEventFrame", "Subscription", "RunRecord.publish", "Readers", "ReplyWriter", "Connection"]),
    ("model HTTP client (AsyncHTTPClient, HTTP/1 decode)", ["AsyncHTTPClient", "HTTPClient", "llhttp", "NIOHTTP1", "HTTPResponseDecoder", "OpenAICompatibleModel", "ChatRequest"]),
    ("walker, agent runner, run table", ["NodeWalker", "AgentRunner", "WorkflowRunner", "RunTable", "RunRecord", "RunProgress", "WalkScope", "StepOutcome"]),
    ("metrics and tracing", ["Prometheus", "Metrics.", "CoreMetrics", "Tracing", "RunSpans", "AgnoMetrics"]),
    ("NIO event loops and sockets (other)", ["NIOPosix", "SelectableEventLoop", "NIOCore", "BaseSocketChannel", "epoll"]),
    ("Swift concurrency: task switches, executors", ["swift_task", "swift_job", "swift::", "Concurrency", "AsyncStream", "CheckedContinuation", "_dispatch", "dispatch_"]),
    ("allocation and reference counting (unattributed)", ["malloc", "free", "swift_retain", "swift_release", "swift_alloc", "swift_dealloc", "_int_", "cfree"]),
]


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def thread_ticks(pid):
    """CPU ticks per thread name (threads of one name added up)."""
    out = collections.Counter()
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            stat = open(f"/proc/{pid}/task/{tid}/stat").read()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        out[f"{name} [{tid}]"] += int(fields[11]) + int(fields[12])
    return out


def commits(d):
    """The store's group commits so far (agnod's metrics)."""
    c = Conn(d.sock)
    c.send({"id": 1, "op": "metrics"})
    text = c.recv()["result"]["text"]
    c.s.close()
    return next((float(l.split()[-1]) for l in text.splitlines() if l.startswith("agnod_store_commit_duration_seconds_count")), 0)


def runs(d, n, first_id):
    c = Conn(d.sock)
    events = 0
    for i in range(first_id, first_id + n):
        c.send({"id": i, "op": "start", "workflow": "fast", "input": "x", "stream": True})
        k, end = until_end(c, i)
        assert end["type"] == "end" and end["run"]["status"] == "COMPLETED", end
        events += k
    c.s.close()
    return events


def bucket_of(stack):
    for frame in stack:  # leaf first
        for name, needles in BUCKETS:
            if any(x in frame for x in needles):
                return name
    return "other (kernel, libc, unresolved)"


def perf_buckets(data):
    """Samples per bucket, and the top leaf symbols, from `perf script` of a recording with call graphs."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym", "--no-demangle"], capture_output=True, text=True, errors="replace").stdout
    demangle = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input=out, capture_output=True, text=True, errors="replace").stdout or out
    counts, leaves, stack = collections.Counter(), collections.Counter(), []
    for line in demangle.splitlines() + [""]:
        line = line.strip()
        if not line:
            if stack:
                counts[bucket_of(stack)] += 1
                leaves[stack[0][:110]] += 1
            stack = []
            continue
        parts = line.split(None, 1)
        stack.append(parts[1] if len(parts) > 1 else parts[0])
    return counts, leaves


def report(data, per_event):
    """The perf recording in buckets (a markdown table; µs per event when known) and the top leaf functions."""
    counts, leaves = perf_buckets(data)
    total = sum(counts.values()) or 1
    print(f"\n| where agnod's CPU goes (perf, {total} samples) | share | µs an event |\n|---|---|---|")
    for name, n in counts.most_common():
        print(f"| {name} | {n / total * 100:.1f} % | " + (f"{per_event * n / total:.2f} |" if per_event else "— |"))
    print("\ntop leaf functions:")
    for sym, n in leaves.most_common(25):
        print(f"  {n / total * 100:5.1f} %  {sym}")


def replays(a, d, hz):
    """Replays of finished runs (first read from SQLite, then from the page cache) and 100 live readers,
    with agnod's CPU per replayed event; under perf when asked."""
    perf, data = None, a.keep or tempfile.mktemp(prefix="agnod-perf-", suffix=".data")
    c0 = None
    n, cold, warm = fanout_replay(d, runs=3) if not a.perf else (None, None, None)
    if a.perf:  # the runs first, then perf on the replays only
        fanout_replay(d, runs=1)
        perf = subprocess.Popen(["perf", "record", "-F", "2000", "--call-graph", a.call_graph, "-o", data, "-p", str(d.proc.pid)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        c0 = cpu_ticks(d.proc.pid)
        n, cold, warm = fanout_replay(d, runs=3)
    print(f"replay of a finished {n:,}-event run, first read / again: {cold:,.0f} / {warm:,.0f} events/s")
    if not a.perf:
        total, rate = fanout_live(d, 100)
        print(f"one run live to 100 readers: {total:,} events, {rate:,.0f} events/s")
        return
    perf.send_signal(2)
    perf.wait()
    cpu = (cpu_ticks(d.proc.pid) - c0) / hz
    print(f"agnod CPU {cpu:.2f} s over the replays (perf attached)")
    report(data, per_event=None)
    if not a.keep:
        os.unlink(data)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--model-server", help="agno-scripted-model binary (the native server); the Python one otherwise")
    p.add_argument("--runs", type=int, default=300)
    p.add_argument("--perf", action="store_true", help="also record a perf profile (call graphs) of the measured runs")
    p.add_argument("--call-graph", default="dwarf,32768", help="perf record --call-graph (fp or dwarf,SIZE)")
    p.add_argument("--keep", help="keep the perf data in this file (perf report -i FILE)")
    p.add_argument("--replay", action="store_true", help="profile replays of finished 100,010-event runs (and 100 live readers) instead")
    a = p.parse_args()
    port, tokens = (PORTS["huge"], 50000) if a.replay else (PORTS["fast"], 100)
    if a.model_server:
        server = subprocess.Popen([a.model_server, "--port", str(port), "--tokens", str(tokens)], stdout=subprocess.DEVNULL)
    else:
        code = f"import sys, time; sys.path.insert(0, {os.path.dirname(HERE)!r}); from measure import serve; serve({port}, 0, None, tokens={tokens}); time.sleep(10**6)"
        server = subprocess.Popen([sys.executable, "-c", code])
    wait_port(port)
    d = Agnod(a.agnod, v2=False)
    try:
        hz = os.sysconf("SC_CLK_TCK")
        if a.replay:
            return replays(a, d, hz)
        runs(d, 30, 0)  # warm up
        perf = None
        if a.perf:
            data = a.keep or tempfile.mktemp(prefix="agnod-perf-", suffix=".data")
            perf = subprocess.Popen(["perf", "record", "-F", "2000", "--call-graph", a.call_graph, "-o", data, "-p", str(d.proc.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)  # perf attaches (no event to await from outside)
        k0 = commits(d)
        c0, t0, th0 = cpu_ticks(d.proc.pid), time.perf_counter(), thread_ticks(d.proc.pid)
        events = runs(d, a.runs, 1000)
        wall, cpu = time.perf_counter() - t0, (cpu_ticks(d.proc.pid) - c0) / hz
        threads = thread_ticks(d.proc.pid) - th0
        print(f"store commits: {(commits(d) - k0) / a.runs:.1f} a run")
        if perf:
            perf.send_signal(2)
            perf.wait()
        print(f"{a.runs} runs, {events} events ({events / a.runs:.0f} a run) in {wall:.2f} s: {wall / a.runs * 1000:.2f} ms a run;"
              f" agnod CPU {cpu:.2f} s = {cpu / a.runs * 1000:.2f} ms a run, {cpu / events * 1e6:.1f} µs an event"
              + (" (perf attached: CPU includes its cost)" if perf else ""))
        print("CPU by thread: " + ", ".join(f"{name} {t / hz / events * 1e6:.1f} µs" for name, t in threads.most_common() if t))
        if perf:
            report(data, per_event=cpu / events * 1e6)
            if not a.keep:
                os.unlink(data)
    finally:
        d.stop()
        server.kill()


if __name__ == "__main__":
    main()
