#!/usr/bin/env python3
"""The async frames a run keeps while it waits on its model (scripts/task-frames): starts agnod under the
taskframes.c shim, starts N runs on a model that sends three chunks and stalls (as in scripts/bench's
10,000-run row) or never answers the head (--head), and when all are RUNNING lists the live task-allocator allocations of a typical run task,
root first, by the function that allocated each (an async function allocates its callee's frame).

The task allocator hands frames out of slabs of ~1 KB that a task keeps until it ends, so these bytes, and how
they pack into slabs, are what a waiting run costs beyond the heap (heaptrack shows the slabs)."""
import argparse, collections, os, signal, socket, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
from bench import PORTS, Agnod, start_background, wait_port, wait_running  # noqa: E402


def silent_server(port):
    """A model that accepts connections and never answers: runs wait for the head."""
    code = ("import socket\ns = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            f"s.bind(('127.0.0.1', {port})); s.listen(4096)\nheld = []\nwhile True: held.append(s.accept())")
    return subprocess.Popen([sys.executable, "-c", code])


def symbol(binary, offset, cache={}):
    if offset not in cache:
        name = subprocess.run(["addr2line", "-f", "-i", "-e", binary, offset], capture_output=True, text=True).stdout.split("\n")[0]
        cache[offset] = subprocess.run(["swift", "demangle", "--simplified", "--compact"], input=name, capture_output=True,
                                       text=True).stdout.strip()
    return cache[offset]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--shim", required=True)
    p.add_argument("--model-server", required=True)
    p.add_argument("--runs", type=int, default=200)
    p.add_argument("--head", action="store_true", help="a model that never answers (runs wait for the HTTP head)")
    a = p.parse_args()
    port = PORTS["slow"]
    server = silent_server(port) if a.head else subprocess.Popen(
        [a.model_server, "--port", str(port), "--tokens", "100", "--stall-after", "3"], stdout=subprocess.DEVNULL)
    wait_port(port)
    out = f"/tmp/agnod-taskframes-{os.getpid()}.txt"
    os.environ.update(LD_PRELOAD=a.shim, AGNOD_TASKFRAMES_OUT=out)
    d = Agnod(a.agnod, v2=False)
    del os.environ["LD_PRELOAD"]
    try:
        start_background(d, a.runs)
        if not wait_running(d, a.runs, timeout=120):
            raise SystemExit("not all runs are RUNNING")
        time.sleep(2)  # every run in its wait
        d.proc.send_signal(signal.SIGUSR2)
        for _ in range(100):
            if os.path.exists(out) and os.path.getsize(out) > 0:
                break
            time.sleep(0.1)
        time.sleep(1)
    finally:
        d.stop()
        server.kill()
    tasks = collections.defaultdict(list)
    for line in open(out):
        task, seq, size, module, offset = line.split()
        tasks[task].append((int(seq), int(size), module, offset))
    os.unlink(out)
    # A typical run task: the most common (count, bytes) shape among tasks.
    shapes = collections.Counter((len(v), sum(s for _, s, _, _ in v)) for v in tasks.values())
    shape, alike = shapes.most_common(1)[0]
    task = next(t for t, v in tasks.items() if (len(v), sum(s for _, s, _, _ in v)) == shape)
    print(f"{alike} of {len(tasks)} tasks hold {shape[0]} allocations, {shape[1]:,} bytes; one of them, root first "
          "(bytes, allocated by):")
    for _, size, module, offset in sorted(tasks[task]):
        where = symbol(module, offset) if module.endswith("agnod") else os.path.basename(module)
        print(f"{size:6} {where[:110]}")


if __name__ == "__main__":
    main()
