#!/usr/bin/env python3
"""Cancel latency (cancel sent -> `end` received) through the real agnod, for a model that streams
(20 ms per token) and a model that stalls; and the per-run overhead of a sequential 2-step run of
100 chunks per step. Starts its own tiny SSE model servers and agnod.

Usage: scripts/measure.py --agnod .build/release/agnod [--runs 30]
A measurement, not a test: numbers go in the closing notes and docs/benchmarks.md (issue 7 makes the full bench).
"""
import argparse, asyncio, json, os, socket, statistics, subprocess, sys, tempfile, threading, time


def serve(port, delay, stall_after, tokens=None, tool=None):
    """tool: answer every request that offers tools with one call of that function (then text when none).
    `GET /stats` answers {"streams", "stalled", "closed"}: streams started, streams that reached the stall
    point, and stalled streams the client then closed (what a cancel must do to the model's HTTP stream)."""
    counts = {"streams": 0, "stalled": 0, "closed": 0}

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if head.startswith(b"GET /stats"):
                    body = json.dumps(counts).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                    await writer.drain()
                    continue
                n = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        n = int(line.split(":")[1])
                body = await reader.readexactly(n)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                if tool is not None and b'"tools"' in body:
                    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": tool, "arguments": "{}"}}
                    for event in [{"choices": [{"index": 0, "delta": {"tool_calls": [call]}}]},
                                  {"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}]:
                        data = b"data: " + json.dumps(event).encode() + b"\n\n"
                        writer.write(b"%x\r\n" % len(data) + data + b"\r\n")
                    done = b"data: [DONE]\n\n"
                    writer.write(b"%x\r\n" % len(done) + done + b"\r\n0\r\n\r\n")
                    await writer.drain()
                    continue
                i = 0
                counts["streams"] += 1
                while True:
                    if stall_after is not None and i >= stall_after:
                        counts["stalled"] += 1
                        try:
                            await reader.read()  # until the client closes (EOF or a reset)
                        finally:
                            counts["closed"] += 1
                        return
                    if tokens is not None and i >= tokens:
                        ending = [b'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n', b"data: [DONE]\n\n"]
                        if b'"include_usage": true' in body or b'"include_usage":true' in body:  # as OpenAI: a last chunk with the usage
                            usage = {"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": i, "total_tokens": 10 + i}}
                            ending.insert(1, b"data: " + json.dumps(usage).encode() + b"\n\n")
                        for body in ending:
                            writer.write(b"%x\r\n" % len(body) + body + b"\r\n")
                        writer.write(b"0\r\n\r\n")
                        await writer.drain()
                        break
                    body = b'data: {"choices":[{"index":0,"delta":{"content":"word "}}]}\n\n'
                    writer.write(b"%x\r\n" % len(body) + body + b"\r\n")
                    i += 1
                    if delay:
                        await writer.drain()
                        await asyncio.sleep(delay)
        except Exception:
            pass
        finally:
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()


def server_stats(port):
    """The counters of a `serve` server on 127.0.0.1:port (see serve)."""
    import urllib.request
    return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=5).read())


class Conn:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(path)
        self.f = self.s.makefile("rb")

    def send(self, obj):
        self.s.sendall(json.dumps(obj).encode() + b"\n")

    def recv(self):
        return json.loads(self.f.readline())


def measure(sock, workflow, runs, until="RunContent", count=3, ready=None):
    """Cancel sent -> `end` received, ms, after `count` `until` events (and `ready()`, if given, returned)."""
    out = []
    for i in range(runs):
        a, b = Conn(sock), Conn(sock)
        a.send({"id": 1, "op": "start", "workflow": workflow, "input": "x", "stream": True})
        run_id = a.recv()["result"]["run_id"]
        seen = 0
        while seen < count:
            m = a.recv()
            if m.get("type") == "event" and m["event"]["event"] == until:
                seen += 1
        if ready:
            ready()
        t0 = time.perf_counter()
        b.send({"id": 2, "op": "cancel", "run_id": run_id})
        while True:
            m = a.recv()
            if m["type"] == "end":
                break
        out.append((time.perf_counter() - t0) * 1000)
        assert m["run"]["status"] == "CANCELLED", m
        a.s.close()
        b.s.close()
    return out


def overhead(sock, runs):
    """Wall time of a sequential 2-step run (start with stream:true -> end), ms."""
    out = []
    for i in range(runs + 5):
        a = Conn(sock)
        t0 = time.perf_counter()
        a.send({"id": 1, "op": "start", "workflow": "twostep", "input": "x", "stream": True})
        while a.recv()["type"] != "end":
            pass
        if i >= 5:
            out.append((time.perf_counter() - t0) * 1000)
    return sorted(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--runs", type=int, default=30)
    a = p.parse_args()
    serve(18461, 0.02, None)
    serve(18462, 0.02, 3)
    serve(18463, 0, None, tokens=100)
    d = tempfile.mkdtemp()
    os.makedirs(d + "/wf")
    for name, prov in [("streaming", "s"), ("stalled", "t")]:
        open(f"{d}/wf/{name}.yaml", "w").write(f"name: {name}\nagents:\n  a:\n    model: {prov}:m\nsteps:\n  - agent: a\n")
    open(f"{d}/wf/twostep.yaml", "w").write("name: twostep\nagents:\n  a:\n    model: f:m\nsteps:\n  - name: one\n    agent: a\n  - name: two\n    agent: a\n")
    cfg = {"socket": d + "/a.sock", "state_dir": d, "workflows_dir": d + "/wf",
           "providers": {"s": {"base_url": "http://127.0.0.1:18461/v1"}, "t": {"base_url": "http://127.0.0.1:18462/v1"},
                         "f": {"base_url": "http://127.0.0.1:18463/v1"}}}
    open(d + "/c.yaml", "w").write(json.dumps(cfg))
    log = open(d + "/agnod.log", "w")
    proc = subprocess.Popen([a.agnod, "--config", d + "/c.yaml"], stdout=log, stderr=log)
    try:
        for _ in range(200):
            if os.path.exists(d + "/a.sock"):
                break
            time.sleep(0.05)
        for wf in ["streaming", "stalled"]:
            ms = sorted(measure(d + "/a.sock", wf, a.runs))
            p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
            print(f"cancel -> end, model {wf:9s}: median {statistics.median(ms):6.2f} ms  p99 {p99:6.2f} ms  max {ms[-1]:6.2f} ms  ({len(ms)} runs)")
        ms = overhead(d + "/a.sock", a.runs)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(f"2-step run, 100 chunks/step, sequential: median {statistics.median(ms):6.2f} ms  p99 {p99:6.2f} ms  ({len(ms)} runs)")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
