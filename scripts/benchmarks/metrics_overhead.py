#!/usr/bin/env python3
"""What agnod's metrics and traces cost on the hot path: the 2-step run of 100 chunks per step (the scripted
model at full speed), sequential, on three agnod processes of the same build in one run, in alternating blocks
of 10 runs (ABBA order) so that the machine's drift falls on all alike:
  off:     metrics.enabled: false (nothing counted), no tracing
  metrics: the default (counted), with GET /metrics scraped every second meanwhile
  traces:  metrics as above, and tracing to a local OTLP receiver that accepts and discards (protobuf)
Prints a markdown table; --write replaces the section between <!-- metrics:begin --> and <!-- metrics:end -->
in docs/benchmarks.md (appended when absent).

Usage (scripts/bench-metrics builds agnod): metrics_overhead.py --agnod BIN [--runs N] [--quick] [--write]
"""
import argparse, http.client, os, socket, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bench import Agnod, ab_sequential, fmt, model_servers, stats, wait_port  # noqa: E402

BEGIN, END = "<!-- metrics:begin -->", "<!-- metrics:end -->"


class Discard(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver that counts the requests and drops the spans."""
    received = 0

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Discard.received += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scraper(port, stop, counts):
    while not stop.is_set():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/metrics")
        r = c.getresponse()
        body = r.read()
        counts["scrapes"] += 1
        counts["bytes"] = len(body)
        stop.wait(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--runs", type=int, default=300, help="runs per daemon")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--write", action="store_true")
    p.add_argument("--docs", default=os.path.join(HERE, "..", "..", "docs", "benchmarks.md"))
    a = p.parse_args()
    runs = 30 if a.quick else a.runs
    servers = model_servers()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Discard)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    metrics_port, traces_port = free_port(), free_port()
    daemons = []
    stop = threading.Event()
    counts = [{"scrapes": 0, "bytes": 0}, {"scrapes": 0, "bytes": 0}]
    try:
        daemons.append(Agnod(a.agnod, extra={"metrics": {"enabled": False}}))
        daemons.append(Agnod(a.agnod, extra={"metrics": {"listen": f"127.0.0.1:{metrics_port}"}}))
        daemons.append(Agnod(a.agnod, extra={
            "metrics": {"listen": f"127.0.0.1:{traces_port}"},
            "tracing": {"endpoint": f"http://127.0.0.1:{receiver.server_address[1]}", "export_delay": 1}}))
        for port, c in [(metrics_port, counts[0]), (traces_port, counts[1])]:
            wait_port(port)
            threading.Thread(target=scraper, args=(port, stop, c), daemon=True).start()
        print(f"[bench-metrics] {runs} runs per daemon, alternating blocks of 10", file=sys.stderr)
        off, on, traced = (stats(ms) for ms in ab_sequential(daemons, runs))
        stop.set()
    finally:
        for d in daemons:
            d.stop()
        for s in servers:
            s.kill()
        receiver.shutdown()
    rows = [
        ("metrics off (`metrics.enabled: false`)", fmt(off), "1.000", "1.000"),
        (f"metrics on, GET /metrics scraped every second ({counts[0]['scrapes']} scrapes, {counts[0]['bytes']:,} bytes)", fmt(on),
         f"{on['median'] / off['median']:.3f}", f"{on['p99'] / off['p99']:.3f}"),
        (f"metrics on and traces sent over OTLP/HTTP ({Discard.received} exports)", fmt(traced),
         f"{traced['median'] / off['median']:.3f}", f"{traced['p99'] / off['p99']:.3f}"),
    ]
    table = ["| agnod (same build, same run) | 2-step run, 100 chunks/step, sequential (ms, median / p99) | ÷ off, median | ÷ off, p99 |",
             "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in rows]
    section = (f"{BEGIN}\n## Cost of metrics and traces on the hot path\n\n`scripts/bench-metrics` ({runs} runs per agnod, "
               f"three agnod processes of one release build in one run, alternating blocks of 10 runs, "
               f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores). Goal: metrics on ≤ 5 % more per run than off.\n\n"
               + "\n".join(table) + f"\n{END}")
    print(section)
    if a.write:
        old = open(a.docs).read() if os.path.exists(a.docs) else "# Benchmarks\n"
        b, e = old.find(BEGIN), old.find(END)
        text = old[:b] + section + old[e + len(END):] if b >= 0 and e > b else old.rstrip("\n") + "\n\n" + section + "\n"
        open(a.docs, "w").write(text)


if __name__ == "__main__":
    main()
