#!/usr/bin/env python3
"""The durable store's cost: events/s stored and delivered live to one reader, events/s replayed from the
store, events/s stored with many runs writing at once, group-commit sizes, and the database's size per 1,000
events. Starts its own fast SSE model server (scripts/measure.py's) and agnod.

Usage: scripts/bench-store.py --agnod .build/release/agnod [--tokens 50000] [--concurrent 20]
A benchmark, not a test: the numbers go in docs/store.md.
"""
import argparse, json, os, re, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measure import Conn, serve  # noqa: E402


def stream_to_end(conn, req_id):
    """Counts event frames for req_id until its end; parses only non-event lines (the reader must not be the bottleneck)."""
    n = 0
    prefix = b'{"id":%d,"type":"event"' % req_id
    while True:
        line = conn.f.readline()
        if line.startswith(prefix):
            n += 1
            continue
        m = json.loads(line)
        if m.get("id") != req_id:
            continue
        if m["type"] == "end":
            return n, m["run"]
        if m["type"] == "error":
            raise SystemExit(f"error: {m}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--tokens", type=int, default=50_000, help="chunks per step of the big run (2 steps)")
    p.add_argument("--concurrent", type=int, default=20, help="runs writing at once")
    p.add_argument("--durability", default="process", choices=["process", "power"])
    a = p.parse_args()
    serve(18471, 0, None, tokens=a.tokens)
    serve(18472, 0, None, tokens=a.tokens // a.concurrent)
    d = tempfile.mkdtemp(prefix="agnod-bench-store-")
    os.makedirs(d + "/wf")
    for name, prov in [("big", "b"), ("small", "s")]:
        open(f"{d}/wf/{name}.yaml", "w").write(
            f"name: {name}\nagents:\n  a:\n    model: {prov}:m\nsteps:\n  - name: one\n    agent: a\n  - name: two\n    agent: a\n")
    cfg = {"socket": d + "/a.sock", "state_dir": d + "/state", "workflows_dir": d + "/wf",
           "store": {"durability": a.durability},
           "limits": {"active_runs": 1000, "active_runs_per_user": 1000},
           "providers": {"b": {"base_url": "http://127.0.0.1:18471/v1"}, "s": {"base_url": "http://127.0.0.1:18472/v1"}}}
    open(d + "/c.yaml", "w").write(json.dumps(cfg))
    log_path = d + "/agnod.log"
    log = open(log_path, "w")
    proc = subprocess.Popen([a.agnod, "--config", d + "/c.yaml"], stdout=log, stderr=log)
    try:
        for _ in range(400):
            if os.path.exists(d + "/a.sock"):
                break
            time.sleep(0.05)
        # 1. One big run, one live reader.
        c = Conn(d + "/a.sock")
        t0 = time.perf_counter()
        c.send({"id": 1, "op": "start", "workflow": "big", "input": "x", "stream": True})
        run_id = c.recv()["result"]["run_id"]
        live, run = stream_to_end(c, 1)
        live_s = time.perf_counter() - t0
        assert run["status"] == "COMPLETED", run
        # 2. Replay it from the store.
        t0 = time.perf_counter()
        c.send({"id": 2, "op": "stream", "run_id": run_id})
        replayed, _ = stream_to_end(c, 2)
        replay_s = time.perf_counter() - t0
        assert replayed == live, (replayed, live)
        # 3. Many runs writing at once, each read live.
        conns = [Conn(d + "/a.sock") for _ in range(a.concurrent)]
        t0 = time.perf_counter()
        for i, k in enumerate(conns):
            k.send({"id": 10 + i, "op": "start", "workflow": "small", "input": "x", "stream": True})
        total = 0
        for i, k in enumerate(conns):
            n, run = stream_to_end(k, 10 + i)
            assert run["status"] == "COMPLETED", run
            total += n
        many_s = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait()
    log.close()
    text = open(log_path).read()
    stats = re.search(r".*store writer stopped.*", text)
    db = os.path.join(d, "state", "agnod.sqlite")
    size = sum(os.path.getsize(f) for f in [db, db + "-wal"] if os.path.exists(f))
    events = live + total + 0
    print(f"one run, {live} events, one live reader: {live / live_s:,.0f} events/s stored and delivered ({live_s:.2f} s)")
    print(f"replay of that run from the store: {replayed / replay_s:,.0f} events/s ({replay_s:.2f} s)")
    print(f"{a.concurrent} runs at once, {total} events: {total / many_s:,.0f} events/s stored and delivered ({many_s:.2f} s)")
    print(f"database: {size / 1e6:.1f} MB for {events} events = {size / events * 1000 / 1024:.0f} KiB per 1,000 events (durability {a.durability})")
    if stats:
        print(stats.group(0))


if __name__ == "__main__":
    main()
