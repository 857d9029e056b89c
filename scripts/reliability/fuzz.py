#!/usr/bin/env python3
"""Protocol fuzzing against a running agnod: generated lines of every kind (random JSON, truncated
requests, huge numbers, deep nesting, invalid UTF-8, wrong types for every parameter of every op, ids of
every JSON type, empty lines, over-long lines), over several connections at once. Each batch of lines is
followed by a `hello` sentinel, so every line's answer is known to be complete when the sentinel's is read.

The oracle (PROTOCOL.md): an empty line gets no reply; a line that is not a JSON object with a valid
`id` (string or integer) gets exactly one `error` with `id: null`; every other line gets exactly one final
frame (`result` or `error`) with its own id; a line over the limit gets `line_too_long` and the connection
closes. agnod must stay up, and its RSS must come back near where it started.

Usage: scripts/reliability/fuzz.py --agnod PATH [--lines 1000000] [--connections 8] [--seed N] [--json]
"""
import argparse, json, os, random, socket, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel_common as rc

OPS = {
    "hello": {"protocol": 1, "client": "fuzz"},
    "workflows": {},
    "start": {"workflow": "nothing", "input": "x", "stream": False, "run_id": "r", "session_id": "s", "on_disconnect": "continue",
              "additional_data": {}, "session_state": {}},
    "stream": {"run_id": "r", "after_seq": 0},
    "cancel": {"run_id": "r", "reason": "x"},
    "status": {"run_id": "r"},
    "list": {"status": ["RUNNING"], "limit": 5, "all_users": False},
    "rm": {"run_id": "r"},
    "tool_calls": {"run_id": "r", "after_seq": 0, "limit": 5, "tool_call_id": "c"},
    "check": {"file": "w.yaml", "text": "name: w\n"},
    "continue": {"run_id": "r", "decision": "approve", "input": {}, "stream": False},
}
MAX_LINE = 1 << 20


def any_value(rnd, depth=0):
    k = rnd.randrange(9 if depth < 4 else 6)
    if k == 0: return None
    if k == 1: return True
    if k == 2: return rnd.randrange(-10**6, 10**6)
    if k == 3: return rnd.random() * 1e6
    if k == 4: return "".join(rnd.choice("a\u00e9\u2603x\"\\\n\t\u0000") for _ in range(rnd.randrange(8)))
    if k == 5: return 10**rnd.randrange(18, 40)
    if k == 6: return [any_value(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    if k == 7: return {f"k{i}": any_value(rnd, depth + 1) for i in range(rnd.randrange(4))}
    return -0.0


def typed_values():
    return [None, True, False, 0, -1, 2**63, 2**64 + 1, 1e308, -1e-308, "", "x" * 300, [], [1, "a"], {}, {"a": {"b": []}}]


class Gen:
    """Makes (bytes, expectation) pairs: expectation is 'none', 'null', ('id', id) or 'too_long'."""

    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.n = 0

    def next_id(self):
        self.n += 1
        return self.n if self.rnd.random() < 0.5 else f"f{self.n}"

    def line(self):
        r = self.rnd
        if r.randrange(2000) == 0:  # over the line limit
            return b'{"id":1,"op":"hello","x":"' + b"a" * (MAX_LINE + 10) + b'"}', "too_long"
        kind = r.randrange(99)
        if kind < 30:  # a real op with one parameter of a wrong (or right) type
            op = r.choice(list(OPS))
            params = dict(OPS[op])
            if params:
                key = r.choice(list(params) + ["unknown_param"])
                params[key] = r.choice(typed_values())
            obj = {"id": self.next_id(), "op": op, **params}
            if r.random() < 0.2:
                del obj[r.choice([k for k in obj if k != "id"])]
            return json.dumps(obj).encode(), ("id", obj["id"])
        if kind < 40:  # ids of every JSON type
            idv = r.choice([None, True, 1.5, -7, 2**70, "", "s", [], [1], {}, {"a": 1}, 0])
            obj = {"id": idv, "op": r.choice(list(OPS) + ["nope"])}
            valid = (isinstance(idv, int) and not isinstance(idv, bool) and -2**63 <= idv < 2**63) or isinstance(idv, str)
            return json.dumps(obj).encode(), (("id", idv) if valid else "null")
        if kind < 52:  # random JSON (mostly not a request)
            v = any_value(r)
            if isinstance(v, dict) and "id" not in v:
                return json.dumps(v).encode(), "null"
            if not isinstance(v, dict):
                return json.dumps(v).encode(), "null"
            return json.dumps({"x": v}).encode(), "null"
        if kind < 64:  # a valid request cut short
            obj = {"id": self.next_id(), "op": "status", "run_id": "r" * r.randrange(1, 50)}
            text = json.dumps(obj).encode()
            return text[: r.randrange(1, len(text) - 1)], "null"
        if kind < 70:  # huge numbers
            digits = "9" * r.randrange(20, 5000)
            i = self.next_id()
            text = r.choice([f'{{"id":{json.dumps(i)},"op":"list","limit":{digits}}}', f'{{"id":{digits},"op":"hello","protocol":1}}',
                             f'{{"id":{json.dumps(i)},"op":"stream","run_id":"r","after_seq":1e{digits[:4]}}}'])
            return text.encode(), ("id", i) if not text.startswith(f'{{"id":{digits}') else "null"
        if kind < 76:  # deep nesting
            depth = r.choice([50, 500, 5000, 5000, 5000, 100000] if r.random() < 0.01 else [10, 50, 200, 500])
            i = self.next_id()
            inner = "[" * depth + "]" * depth
            # agnod's parser refuses nesting beyond 512 levels (with id null: the line was not read).
            return f'{{"id":{json.dumps(i)},"op":"hello","protocol":1,"x":{inner}}}'.encode(), ("id", i) if depth <= 500 else "null"
        if kind < 84:  # invalid UTF-8 inside an otherwise fine line
            i = self.next_id()
            bad = r.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"])
            return b'{"id":' + json.dumps(i).encode() + b',"op":"status","run_id":"' + bad + b'"}', "null"
        if kind < 90:  # empty and blank lines
            return r.choice([b"", b"   ", b"\t", b"\r"]), "none"
        # garbage bytes
        return bytes(r.randrange(1, 256) for _ in range(r.randrange(1, 60))).replace(b"\n", b" "), "null-or-none"


class Client:
    def __init__(self, path):
        self.path = path
        self.connect()

    def connect(self):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.connect(self.path)
        self.f = self.s.makefile("rb")

    def close(self):
        try:
            self.f.close()
            self.s.close()
        except OSError:
            pass


def run(path, lines, connections, seed):
    gens = [Gen(seed * 1000 + c) for c in range(connections)]
    clients = [Client(path) for _ in range(connections)]
    stats = {"lines": 0, "bytes": 0, "replies": 0, "violations": 0, "too_long": 0, "reconnects": 0, "kinds": {}}
    examples = []
    sentinel = 0
    batch = 64
    done = 0
    while done < lines:
        for c, (client, gen) in enumerate(zip(clients, gens)):
            items = [gen.line() for _ in range(min(batch, lines - done))]
            if not items:
                break
            long_at = next((i for i, (_, e) in enumerate(items) if e == "too_long"), None)
            if long_at is not None:
                items = items[: long_at + 1]
            sentinel += 1
            sid = f"sentinel-{sentinel}"
            payload = b"".join(text + b"\n" for text, _ in items)
            closes = long_at is not None
            if not closes:
                payload += json.dumps({"id": sid, "op": "hello", "protocol": 1}).encode() + b"\n"
            try:
                client.s.sendall(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the daemon closed after a long line: read what it said
            done += len(items)
            stats["lines"] += len(items)
            stats["bytes"] += len(payload)
            replies = read_batch(client, items, sid, closes, stats, examples)
            stats["replies"] += len(replies)
            check(items, replies, closes, stats, examples)
            if closes:
                client.close()
                client.connect()
                stats["reconnects"] += 1
    for client in clients:
        client.close()
    return stats, examples


def expectations(items):
    """How many final replies each id must get, and the least and most replies with id null."""
    ids, lo, hi = {}, 0, 0
    for text, expect in items:
        if isinstance(expect, tuple):
            key = json.dumps(expect[1])
            ids[key] = ids.get(key, 0) + 1
        elif expect == "null":
            lo += 1
            hi += 1
        elif expect in ("null-or-none", "too_long"):
            hi += 1
    return ids, lo, hi


def read_batch(client, items, sid, closes, stats, examples, timeout=20):
    """Reads until the sentinel's answer and every answer the batch must get are in (replies of one
    connection may come in any order), or the connection closes, or `timeout` seconds pass."""
    ids, lo, _ = expectations(items)
    finals, nulls, sentinel_seen, replies = {}, 0, closes, []
    client.s.settimeout(timeout)
    try:
        while True:
            if sentinel_seen and nulls >= lo and all(finals.get(k, 0) >= n for k, n in ids.items()):
                if not closes:
                    break
            raw = client.f.readline()
            if not raw:
                break
            try:
                obj = json.loads(raw)
            except ValueError:
                stats["violations"] += 1
                examples.append(("reply is not JSON", raw[:200]))
                continue
            if obj.get("id") == sid and obj.get("type") == "result":
                sentinel_seen = True
                continue
            replies.append(raw)
            if obj.get("id") is None:
                nulls += 1
            elif obj.get("type") in ("result", "error", "end"):
                key = json.dumps(obj.get("id"))
                finals[key] = finals.get(key, 0) + 1
    except (socket.timeout, TimeoutError):
        stats["violations"] += 1
        missing = [k for k, n in ids.items() if finals.get(k, 0) < n]
        examples.append((f"no answer within {timeout} s", {"missing_ids": missing[:5], "nulls": nulls, "want_nulls": lo}))
    finally:
        client.s.settimeout(None)
    return replies


def check(items, replies, closes, stats, examples):
    """Compares the replies of one batch with what each line should get."""
    got = [json.loads(r) for r in replies if r.strip().startswith(b"{")]
    nulls, finals_by_id = 0, {}
    for r in got:
        if r.get("type") not in ("result", "error", "event", "end"):
            stats["violations"] += 1
            examples.append(("bad frame type", r))
            continue
        key = json.dumps(r.get("id"))
        if r.get("id") is None:
            nulls += 1
        elif r.get("type") in ("result", "error", "end"):
            finals_by_id[key] = finals_by_id.get(key, 0) + 1
    ids, want_null_min, want_null_max = expectations(items)
    for text, expect in items:
        kind = expect if isinstance(expect, str) else "id"
        stats["kinds"][kind] = stats["kinds"].get(kind, 0) + 1
    for key, n in ids.items():
        got_n = finals_by_id.pop(key, 0)
        if got_n != n:
            stats["violations"] += 1
            examples.append((f"id {key} sent {n} times got {got_n} final replies", [t[:120] for t, e in items if isinstance(e, tuple) and json.dumps(e[1]) == key][:2]))
    if finals_by_id:
        stats["violations"] += 1
        extra = list(finals_by_id)[:3]
        examples.append(("replies for ids not expected", [t[:120] for t, _ in items if any(k.encode() in t for k in extra)][:3]))
    if not (want_null_min <= nulls <= want_null_max):
        stats["violations"] += 1
        examples.append((f"{nulls} replies with id null, expected {want_null_min}..{want_null_max}", [t[:80] for t, _ in items]))
    if closes:
        stats["too_long"] += 1
        if not any(r.get("type") == "error" and r.get("error", {}).get("code") == "line_too_long" for r in got):
            stats["violations"] += 1
            examples.append(("no line_too_long for an over-long line", got[-3:]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--agnod", required=True)
    p.add_argument("--lines", type=int, default=1_000_000)
    p.add_argument("--connections", type=int, default=8)
    p.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    daemon = rc.Agnod(a.agnod, providers={}, workflows={}).start()
    try:
        base = daemon.rss_kb()
        t0 = time.time()
        stats, examples = run(daemon.sock, a.lines, a.connections, a.seed)
        elapsed = time.time() - t0
        peak = daemon.rss_kb()
        time.sleep(2)
        after = daemon.rss_kb()
        alive = daemon.alive()
        # Still serving after all that.
        c = Client(daemon.sock)
        c.s.sendall(b'{"id":"last","op":"hello","protocol":1}\n')
        last_ok = json.loads(c.f.readline()).get("type") == "result"
        c.close()
        result = {"seed": a.seed, "lines": stats["lines"], "seconds": round(elapsed, 1), "lines_per_s": int(stats["lines"] / elapsed),
                  "replies": stats["replies"], "violations": stats["violations"], "over_long_lines": stats["too_long"],
                  "kinds": stats["kinds"], "alive": alive and last_ok, "rss_kib": {"start": base, "peak": peak, "after": after}}
        ok = alive and last_ok and stats["violations"] == 0 and after - base < 64 * 1024
        if a.json:
            print(json.dumps(result))
        else:
            print(f"fuzz: {stats['lines']:,} lines in {elapsed:.1f} s ({result['lines_per_s']:,}/s) over {a.connections} connections, seed {a.seed}")
            print(f"  kinds: {stats['kinds']}")
            print(f"  replies {stats['replies']:,}, violations {stats['violations']}, over-long lines {stats['too_long']} (each closed its connection)")
            print(f"  agnod alive and answering: {alive and last_ok}; RSS start {base/1024:.1f} MiB, peak {peak/1024:.1f} MiB, 2 s after {after/1024:.1f} MiB")
            for what, detail in examples[:10]:
                print(f"  VIOLATION: {what}: {str(detail)[:300]}")
        sys.exit(0 if ok else 1)
    finally:
        daemon.cleanup()


if __name__ == "__main__":
    main()
