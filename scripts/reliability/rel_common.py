"""Shared helpers of load.py and faults.py (stdlib only).

- ModelServer: measure.serve() in its own python3 subprocess (so it can be SIGKILLed), loopback only.
- Agnod: writes a config + workflows into a temp dir, starts/kills/restarts agnod, reads its VmRSS.
- Conn: one asyncio NDJSON connection to agnod's Unix socket, one request at a time, strict about
  what comes back (ids, JSON, reply types); read_stream() reads a stream to its `end`.
- check_stream(): seq contiguity / `end.last_seq` checks.
Every child process is registered and killed at exit (atexit + SIGTERM/SIGINT handlers).
"""
import asyncio, atexit, json, os, random, resource, shutil, signal, socket, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
TERMINAL = {"COMPLETED", "CANCELLED", "ERROR"}

_children = []
_cleanups = []


def _kill_children():
    for fn in reversed(_cleanups):
        try:
            fn()
        except Exception:
            pass
    _cleanups.clear()
    for p in _children:
        try:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=5)
        except Exception:
            pass


atexit.register(_kill_children)


def _on_signal(sig, frame):
    _kill_children()
    os._exit(128 + sig)


for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    try:
        signal.signal(_s, _on_signal)
    except Exception:
        pass


def on_exit(fn):
    """Run fn at exit (also on SIGTERM/SIGINT), before the children are killed."""
    _cleanups.append(fn)


def raise_nofile(want=65536):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    new = min(want, hard) if hard != resource.RLIM_INFINITY else want
    if new > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        except (ValueError, OSError):
            pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def pct(xs, q):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]


def lat_summary(xs):
    """(count, p50, p99, max) in ms of a list of ms."""
    if not xs:
        return (0, None, None, None)
    return (len(xs), statistics.median(xs), pct(xs, 0.99), max(xs))


def fmt(v):
    return "-" if v is None else (f"{v:.1f}" if isinstance(v, float) else str(v))


class ModelServer:
    """measure.serve(port, delay, stall_after, tokens) in a child python3 process on 127.0.0.1."""

    def __init__(self, delay=0.005, tokens=40, stall_after=None, port=None):
        self.delay, self.tokens, self.stall_after = delay, tokens, stall_after
        self.port = port or free_port()
        self.proc = None

    def start(self, timeout=10):
        code = ("import sys,time; sys.path.insert(0, %r); import measure; "
                "measure.serve(%d, %r, %r, tokens=%r)\nwhile True: time.sleep(3600)"
                % (SCRIPTS, self.port, self.delay, self.stall_after, self.tokens))
        self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _children.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError("model server exited at start")
                time.sleep(0.05)
        raise RuntimeError("model server did not listen on %d" % self.port)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stats(self):
        import urllib.request
        return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=5).read())


def wf_yaml(name, provider, steps=2, extra=""):
    s = f"name: {name}\n{extra}agents:\n  a:\n    model: {provider}:m\nsteps:\n"
    for i in range(steps):
        s += f"  - name: s{i + 1}\n    agent: a\n"
    return s


class Agnod:
    """An agnod of its own in a temp dir. providers: {name: port}; workflows: {name: yaml text}."""

    def __init__(self, binary, providers, workflows, limits=None, extra=None, keep=False):
        self.binary = os.path.abspath(binary)
        self.dir = tempfile.mkdtemp(prefix="agnod-rel-")
        self.state = self.dir + "/state"
        self.sock = self.dir + "/a.sock"
        os.makedirs(self.dir + "/wf")
        os.makedirs(self.state)
        for name, text in workflows.items():
            open(f"{self.dir}/wf/{name}.yaml", "w").write(text)
        cfg = {"socket": self.sock, "state_dir": self.state, "workflows_dir": self.dir + "/wf",
               "providers": {n: {"base_url": f"http://127.0.0.1:{p}/v1", "connect_timeout": 2}
                             for n, p in providers.items()}}
        if limits:
            cfg["limits"] = limits
        if extra:
            cfg.update(extra)
        self.config = self.dir + "/agnod.json"
        open(self.config, "w").write(json.dumps(cfg, indent=1))
        self.proc = None
        self.starts = 0
        self.keep = keep
        on_exit(self.cleanup)

    def start(self, timeout=60):
        if os.path.exists(self.sock):
            os.unlink(self.sock)  # a stale one from a killed daemon: wait for the new one
        self.starts += 1
        self.log = open(f"{self.dir}/agnod.{self.starts}.log", "w")
        self.proc = subprocess.Popen([self.binary, "--config", self.config], stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        _children.append(self.proc)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("agnod exited at start with %s; log %s:\n%s"
                                   % (self.proc.returncode, self.log.name, open(self.log.name).read()[-2000:]))
            if os.path.exists(self.sock):
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.settimeout(2)
                    s.connect(self.sock)
                    s.close()
                    return self
                except OSError:
                    pass
            time.sleep(0.02)
        raise RuntimeError("agnod did not listen within %ss" % timeout)

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stop(self):
        self.kill(signal.SIGTERM)

    def rss_kb(self):
        try:
            for line in open(f"/proc/{self.proc.pid}/status"):
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        except Exception:
            return None

    def logs(self):
        out = ""
        for i in range(1, self.starts + 1):
            try:
                out += open(f"{self.dir}/agnod.{i}.log").read()
            except Exception:
                pass
        return out

    def cleanup(self):
        self.kill()
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


class ProtocolError(Exception):
    pass


class Busy(Exception):
    def __init__(self, ms, msg):
        super().__init__(msg)
        self.retry_after_ms = ms


class ConnClosed(Exception):
    pass


class BacklogFull(OSError):
    pass


class ConnBusy(Exception):
    """The connection itself was refused with `busy` (id null), e.g. connections_per_user."""
    def __init__(self, ms, msg):
        super().__init__(msg)
        self.retry_after_ms = ms


def raw_event(line):
    """The bytes of the frame's `event` object exactly as sent (for byte-identical comparisons)."""
    text = line.decode("utf-8")
    i = text.find('"event":{')
    if i < 0:
        return None
    start = i + len('"event":')
    _, end = json.JSONDecoder().raw_decode(text, start)
    return text[start:end].encode("utf-8")


class Conn:
    """One connection, one request at a time (strict: any reply with another id is a protocol error)."""
    _n = 0

    def __init__(self, reader, writer):
        self.r, self.w = reader, writer
        Conn._n += 1
        self.tag = "c%d" % Conn._n
        self.k = 0

    @classmethod
    async def open(cls, path, timeout=10):
        """Connect without asyncio's sock_connect: on AF_UNIX a full listen backlog is EAGAIN (not "in
        progress"), which asyncio then takes for a connection and the first write fails EINVAL. Here
        it raises BacklogFull so callers can count it and retry."""
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.setblocking(False)
        try:
            s.connect(path)
        except BlockingIOError:
            s.close()
            raise BacklogFull("connect: EAGAIN, the listen backlog of %s is full" % path)
        except OSError:
            s.close()
            raise
        r, w = await asyncio.wait_for(asyncio.open_unix_connection(sock=s, limit=1 << 22), timeout)
        return cls(r, w)

    def next_id(self):
        self.k += 1
        return "%s-%d" % (self.tag, self.k)

    async def send(self, obj):
        self.w.write(json.dumps(obj, separators=(",", ":")).encode() + b"\n")
        await self.w.drain()

    async def recv(self, timeout):
        """(raw line, parsed) of the next non-empty line."""
        while True:
            try:
                line = await asyncio.wait_for(self.r.readline(), timeout)
            except asyncio.TimeoutError:
                raise
            except (ConnectionError, OSError, asyncio.IncompleteReadError) as e:
                raise ConnClosed(str(e))
            if not line:
                raise ConnClosed("EOF")
            if not line.endswith(b"\n"):
                raise ConnClosed("EOF inside a line")
            line = line[:-1]
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except Exception as e:
                raise ProtocolError("malformed JSON %r: %s" % (line[:200], e))
            if not isinstance(obj, dict) or "type" not in obj or "id" not in obj:
                raise ProtocolError("reply without id/type: %r" % line[:200])
            return line, obj

    async def reply(self, rid, timeout):
        line, obj = await self.recv(timeout)
        if obj["id"] is None and obj["type"] == "error" and (obj.get("error") or {}).get("code") == "busy":
            raise ConnBusy(obj["error"].get("retry_after_ms", 100), obj["error"].get("message"))
        if obj["id"] != rid:
            raise ProtocolError("reply id %r, expected %r: %r" % (obj["id"], rid, line[:200]))
        return line, obj

    async def call(self, req, timeout=30):
        """Send req, return its result object; Busy on `busy`; ProtocolError on any other error."""
        rid = self.next_id()
        req = dict(req, id=rid)
        await self.send(req)
        line, obj = await self.reply(rid, timeout)
        return check_result(obj, req)

    async def close(self):
        try:
            self.w.close()
            await asyncio.wait_for(self.w.wait_closed(), 2)
        except Exception:
            pass


def check_result(obj, req):
    if obj["type"] == "error":
        err = obj.get("error") or {}
        if err.get("code") == "busy":
            raise Busy(err.get("retry_after_ms", 100), err.get("message"))
        raise ProtocolError("%s -> error %s" % (req.get("op"), json.dumps(err)[:300]))
    if obj["type"] != "result" or not isinstance(obj.get("result"), dict):
        raise ProtocolError("%s -> %s, expected result: %r" % (req.get("op"), obj["type"], json.dumps(obj)[:200]))
    return obj["result"]


class StreamRead:
    def __init__(self, after_seq):
        self.after_seq = after_seq
        self.events = []   # (seq, raw event bytes, event dict)
        self.end = None    # run summary of the `end`
        self.broken = None  # why the connection broke before `end`

    @property
    def last_seq(self):
        return self.events[-1][0] if self.events else self.after_seq


async def read_frames(conn, rid, sr, timeout, on_event=None):
    """Read `event` frames for rid into sr until `end`. A broken connection sets sr.broken."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ProtocolError("no `end` within %ss (last seq %s)" % (timeout, sr.last_seq))
        try:
            line, obj = await conn.reply(rid, left)
        except asyncio.TimeoutError:
            raise ProtocolError("no `end` within %ss (last seq %s)" % (timeout, sr.last_seq))
        except ConnClosed as e:
            sr.broken = str(e)
            return sr
        t = obj["type"]
        if t == "event":
            if not isinstance(obj.get("seq"), int) or not isinstance(obj.get("event"), dict):
                raise ProtocolError("bad event frame %r" % line[:200])
            sr.events.append((obj["seq"], raw_event(line), obj["event"]))
            if on_event:
                on_event(obj)
        elif t == "end":
            if not isinstance(obj.get("run"), dict):
                raise ProtocolError("end without run: %r" % line[:200])
            sr.end = obj["run"]
            return sr
        else:
            raise ProtocolError("%s frame inside a stream: %r" % (t, line[:300]))


async def start_run(conn, workflow, stream, timeout=60, **kw):
    """`start`; returns (result, rid). Raises Busy / ProtocolError."""
    rid = conn.next_id()
    req = {"id": rid, "op": "start", "workflow": workflow, "input": kw.pop("input", "x"), "stream": stream}
    req.update(kw)
    await conn.send(req)
    _, obj = await conn.reply(rid, timeout)
    res = check_result(obj, req)
    if not isinstance(res.get("run_id"), str):
        raise ProtocolError("start result without run_id: %r" % res)
    return res, rid


async def attach(conn, run_id, after_seq, timeout, on_event=None):
    rid = conn.next_id()
    req = {"id": rid, "op": "stream", "run_id": run_id, "after_seq": after_seq}
    await conn.send(req)
    sr = StreamRead(after_seq)
    # the first frame may be an error (not_found…): nothing else then
    try:
        line, obj = await conn.reply(rid, timeout)
    except ConnClosed as e:
        sr.broken = str(e)
        return sr
    except asyncio.TimeoutError:
        raise ProtocolError("stream %s: nothing within %ss" % (run_id, timeout))
    if obj["type"] == "error":
        check_result(obj, req)
    if obj["type"] == "event":
        sr.events.append((obj["seq"], raw_event(line), obj["event"]))
        if on_event:
            on_event(obj)
    elif obj["type"] == "end":
        sr.end = obj["run"]
        return sr
    else:
        raise ProtocolError("stream -> %s: %r" % (obj["type"], line[:200]))
    return await read_frames(conn, rid, sr, timeout, on_event)


def check_stream(sr, full=True):
    """Problems (list of strings) of one stream read: contiguous seqs from after_seq+1, no duplicates,
    end present and terminal (or PAUSED), end.last_seq == last seq seen for a full read."""
    probs = []
    expect = sr.after_seq + 1
    for seq, _, _ in sr.events:
        if seq != expect:
            probs.append("seq %d where %d was expected (after_seq %d)" % (seq, expect, sr.after_seq))
            expect = seq + 1
        else:
            expect += 1
    if sr.end is not None:
        st = sr.end.get("status")
        if st not in TERMINAL and st != "PAUSED":
            probs.append("end with non-terminal status %r" % st)
        ls = sr.end.get("last_seq")
        if full:
            if sr.events and ls != sr.events[-1][0]:
                probs.append("end.last_seq %r != last seq seen %d" % (ls, sr.events[-1][0]))
            if not sr.events and isinstance(ls, int) and ls > sr.after_seq:
                probs.append("no events but end.last_seq %d > after_seq %d" % (ls, sr.after_seq))
    elif full and sr.broken is None:
        probs.append("stream without end")
    return probs


def terminal_event_problems(sr):
    """For a stream read from 0 to its end: the last event matches the final status, one terminal event."""
    if sr.end is None or sr.after_seq != 0:
        return []
    names = [e.get("event") for _, _, e in sr.events]
    st = sr.end.get("status")
    want = {"COMPLETED": "WorkflowCompleted", "CANCELLED": "WorkflowCancelled", "ERROR": "WorkflowError"}.get(st)
    probs = []
    if want:
        if not names or names[-1] != want:
            probs.append("status %s but last event %r" % (st, names[-1] if names else None))
        n = sum(1 for x in names if x in ("WorkflowCompleted", "WorkflowCancelled", "WorkflowError"))
        if n != 1:
            probs.append("%d workflow terminal events" % n)
    return probs
