#!/usr/bin/env python3
"""Fault injection against agnod. Each fault gets a fresh agnod (temp state dir) and its own model
server(s) (measure.serve in a child process), prints one result line and returns pass/fail; a markdown
table closes the run. Exit status 1 if any fault fails.

Usage: scripts/reliability/faults.py --agnod PATH [--short] [--only a,c] [--kills N] [--keep]

  a  model server SIGKILLed while ~20 runs stream
  b  the database made read-only (chattr +i on the state dir and its files; a bind mount cannot be
     remounted read-only while agnod holds the database open for writing: EBUSY) while runs stream
  c  agnod SIGKILLed at random moments while ~10 runs stream, N times (--short 10, default 100)
  d  a client that starts a long streaming run and never reads
  e  slowloris: a client sending its request 1 byte per second

"Acknowledged lost": an event a client saw live (or a run whose `start` was answered) that the store's
replay after the fault does not have byte-identical at the same seq.
Needs root for b (chattr); b is skipped (counted as not run) when chattr +i fails.
"""
import argparse, asyncio, json, os, random, signal, socket, subprocess, sys, time, uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel_common as rc

ARGS = None


class Live:
    """Every event a client saw live, per run and seq, as raw bytes; conflicts = a seq seen with two bodies."""

    def __init__(self):
        self.ev = {}
        self.conflicts = []

    def add(self, run_id, sr):
        d = self.ev.setdefault(run_id, {})
        for seq, raw, _ in sr.events:
            if seq in d and d[seq] != raw:
                self.conflicts.append("run %s seq %d seen live twice with different bodies:\n      %s\n      %s"
                                      % (run_id, seq, d[seq][:160], raw[:160]))
            d.setdefault(seq, raw)

    def count(self):
        return sum(len(v) for v in self.ev.values())


async def replay_check(sock, live, run_ids, want_terminal=True, timeout=60):
    """Replay each run from seq 0; problems: gaps, not terminal, live events missing/different in the store.
    Returns (problems, lost, statuses, replays)."""
    probs, lost, statuses, replays = [], [], {}, {}
    c = await rc.Conn.open(sock)
    try:
        for run_id in run_ids:
            try:
                sr = await rc.attach(c, run_id, 0, timeout)
            except rc.ProtocolError as e:
                probs.append("replay %s: %s" % (run_id, e))
                if run_id in live.ev:
                    lost.append("run %s (%d events seen live) cannot be replayed: %s" % (run_id, len(live.ev[run_id]), e))
                c = await rc.Conn.open(sock)
                continue
            replays[run_id] = sr
            for p in rc.check_stream(sr) + rc.terminal_event_problems(sr):
                probs.append("replay %s: %s" % (run_id, p))
            st = sr.end.get("status") if sr.end else None
            statuses[st] = statuses.get(st, 0) + 1
            if want_terminal and st not in rc.TERMINAL:
                probs.append("run %s not terminal: %s" % (run_id, st))
            stored = {seq: raw for seq, raw, _ in sr.events}
            missing = [seq for seq in sorted(live.ev.get(run_id, {})) if seq not in stored]
            differ = [seq for seq, raw in sorted(live.ev.get(run_id, {}).items()) if seq in stored and stored[seq] != raw]
            if missing:
                lost.append("run %s: %d events seen live are not in the store (seqs %d..%d; store last_seq %s)"
                            % (run_id, len(missing), missing[0], missing[-1], sr.last_seq))
            if differ:
                s0 = differ[0]
                lost.append("run %s: %d live events differ from the store at the same seq (seqs %d..%d), first: live %s | store %s"
                            % (run_id, len(differ), differ[0], differ[-1], live.ev[run_id][s0][:110], stored[s0][:110]))
    finally:
        await c.close()
    lost += live.conflicts
    return probs, lost, statuses, replays


def short_list(xs, n=6):
    return "; ".join(xs[:n]) + (" (+%d more)" % (len(xs) - n) if len(xs) > n else "")


async def stream_runs(sock, n, workflow, live, min_content=3, start_timeout=30, **kw):
    """Start n runs with stream:true, each on its own connection; returns [(conn, rid, run_id, sr, reader task)]
    once each has seen min_content RunContent (or 10 s)."""
    out = []
    for i in range(n):
        c = await rc.Conn.open(sock)
        res, rid = await rc.start_run(c, workflow, True, timeout=start_timeout, **kw)
        sr = rc.StreamRead(0)
        seen = asyncio.Event()
        cnt = [0]

        def on_ev(obj, cnt=cnt, seen=seen):
            if obj["event"].get("event") == "RunContent":
                cnt[0] += 1
                if cnt[0] >= min_content:
                    seen.set()
        task = asyncio.create_task(rc.read_frames(c, rid, sr, 120, on_ev))
        out.append((c, rid, res["run_id"], sr, task, seen))
    try:
        await asyncio.wait_for(asyncio.gather(*[x[5].wait() for x in out]), 10)
    except asyncio.TimeoutError:
        pass
    return out


# ---------------------------------------------------------------------------------------------- a
async def fault_a():
    name = "a. model server SIGKILLed mid-stream (20 runs)"
    m = rc.ModelServer(delay=0.02, tokens=400).start()
    ag = rc.Agnod(ARGS.agnod, {"flakymodel": m.port}, {"two": rc.wf_yaml("two", "flakymodel")},
                  limits={"active_runs": 64, "active_runs_per_user": 64, "connections_per_user": 500}).start()
    live = Live()
    probs = []
    try:
        runs = await stream_runs(ag.sock, 20, "two", live)
        m.kill()
        t_kill = time.monotonic()
        results = await asyncio.gather(*[x[4] for x in runs], return_exceptions=True)
        t_end = time.monotonic() - t_kill
        statuses, errors = {}, set()
        for (c, rid, run_id, sr, task, _), r in zip(runs, results):
            if isinstance(r, Exception):
                probs.append("run %s: %s" % (run_id, r))
                continue
            live.add(run_id, sr)
            for p in rc.check_stream(sr) + rc.terminal_event_problems(sr):
                probs.append("run %s: %s" % (run_id, p))
            if sr.end is None:
                probs.append("run %s: no end (%s)" % (run_id, sr.broken))
                continue
            st = sr.end.get("status")
            statuses[st] = statuses.get(st, 0) + 1
            if st != "ERROR":
                probs.append("run %s ended %s, not ERROR" % (run_id, st))
            err = sr.end.get("error") or ""
            errors.add(err)
            if "flakymodel" not in err and str(m.port) not in err:
                probs.append("run %s: error does not name the provider: %r" % (run_id, err))
            await c.close()
        # restart the model server on the same port: new runs complete
        m2 = rc.ModelServer(delay=0.005, tokens=20, port=m.port).start()
        after = {}
        for i in range(3):
            c = await rc.Conn.open(ag.sock)
            res, rid = await rc.start_run(c, "two", True)
            sr = rc.StreamRead(0)
            await rc.read_frames(c, rid, sr, 60)
            live.add(res["run_id"], sr)
            st = sr.end and sr.end.get("status")
            after[st] = after.get(st, 0) + 1
            if st != "COMPLETED":
                probs.append("run after the model server restarted ended %s: %s" % (st, sr.end and sr.end.get("error")))
            await c.close()
        p2, lost, _, _ = await replay_check(ag.sock, live, list(live.ev))
        probs += p2
        if not ag.alive():
            probs.append("agnod died")
        m2.kill()
        saw = ("all 20 streams got `end` %.1f s after the kill: %s; error %s; after restart %s"
               % (t_end, statuses, " | ".join(sorted(errors))[:200], after))
        return name, saw, lost, probs
    finally:
        m.kill()
        ag.cleanup()


# ---------------------------------------------------------------------------------------------- b
def chattr(flag, paths):
    r = subprocess.run(["chattr", flag] + paths, capture_output=True, text=True)
    return r.returncode == 0, r.stderr.strip()


async def fault_b():
    name = "b. database read-only (chattr +i) while 10 runs stream"
    m = rc.ModelServer(delay=0.02, tokens=150).start()
    ag = rc.Agnod(ARGS.agnod, {"p": m.port}, {"two": rc.wf_yaml("two", "p")},
                  limits={"active_runs": 64, "active_runs_per_user": 64, "connections_per_user": 500}).start()
    live = Live()
    probs = []
    frozen = []

    def unfreeze():
        if frozen:
            chattr("-i", frozen)
            frozen.clear()
    rc.on_exit(unfreeze)
    try:
        runs = await stream_runs(ag.sock, 10, "two", live)
        # not the -shm: SQLite maps it, and a write fault on an immutable mapped page is SIGBUS (an
        # artefact of chattr: a read-only remount is refused while agnod holds the files open for writing)
        paths = [ag.state] + [os.path.join(ag.state, f) for f in os.listdir(ag.state) if not f.endswith("-shm")]
        ok, err = chattr("+i", paths)
        if not ok:
            chattr("-i", paths)
            return name, "SKIPPED: chattr +i failed: %s" % err, [], ["chattr +i not possible: %s" % err]
        frozen.extend(paths)
        t0 = time.monotonic()
        # watch the streams for 15 s while the store cannot be written
        done, pending = await asyncio.wait([x[4] for x in runs], timeout=15)
        ended = {}
        for c, rid, run_id, sr, task, _ in runs:
            if task in done and not task.exception() and sr.end:
                st = sr.end.get("status")
                ended[st] = ended.get(st, 0) + 1
        ev_during = sum(len(x[3].events) for x in runs)
        errs = sorted({(x[3].end or {}).get("error") or "" for x in runs if x[3].end})
        reasons = sorted({"%s %s" % (x[3].events[-1][2].get("event"), x[3].events[-1][2].get("reason") or x[3].events[-1][2].get("error") or "")
                          for x in runs if x[3].end and x[3].events})
        errs = [e for e in errs if e] + reasons
        # a new start while read-only
        start_answer = None
        try:
            c = await rc.Conn.open(ag.sock)
            t1 = time.monotonic()
            rid = c.next_id()
            await c.send({"id": rid, "op": "start", "workflow": "two", "input": "x"})
            _, obj = await c.reply(rid, 15)
            start_answer = "%s in %.0f ms: %s" % (obj["type"], (time.monotonic() - t1) * 1000,
                                                   json.dumps(obj.get("error") or obj.get("result"))[:160])
            start_refused = obj["type"] == "error"
            st_run = obj.get("result", {}).get("run_id") if obj["type"] == "result" else None
            await c.close()
        except Exception as e:
            start_answer = "no answer: %r" % e
            start_refused = False
            st_run = None
            probs.append("start while read-only got no answer: %r" % e)
        hello_ok = False
        try:
            c = await rc.Conn.open(ag.sock)
            hello_ok = (await c.call({"op": "hello", "protocol": 1}, 10)).get("protocol") == 1
            await c.close()
        except Exception as e:
            probs.append("hello while read-only: %r" % e)
        alive_during = ag.alive()
        if not alive_during:
            probs.append("agnod died while the database was read-only (exit %s); log tail: %s"
                         % (ag.proc.returncode, ag.logs()[-600:]))
        if pending:
            probs.append("%d of 10 streams had no `end` 15 s after the database became read-only" % len(pending))
        # writable again, restart agnod, streams of the old process are gone
        unfreeze()
        ag.stop()
        await asyncio.gather(*[x[4] for x in runs], return_exceptions=True)
        for c, rid, run_id, sr, task, _ in runs:
            live.add(run_id, sr)
            await c.close()
        ag.start()
        ids = [x[2] for x in runs] + ([st_run] if st_run else [])
        # let resumed runs finish: attach each to its end
        c = await rc.Conn.open(ag.sock)
        for run_id in ids:
            try:
                await rc.attach(c, run_id, 0, 60)
            except Exception as e:
                probs.append("after restart, stream %s: %r" % (run_id, e))
                c = await rc.Conn.open(ag.sock)
        await c.close()
        p2, lost, statuses, _ = await replay_check(ag.sock, live, ids)
        probs += p2
        saw = ("while read-only (15 s): %d events delivered, %s streams ended %s%s; new start -> %s; agnod alive %s, hello %s; "
               "after chattr -i + restart: runs %s"
               % (ev_during, sum(ended.values()), ended, (" error %r" % errs[:2]) if errs else "", start_answer,
                  alive_during, hello_ok, statuses))
        if not start_refused and alive_during:
            saw += " [start was NOT refused while the store was read-only]"
        return name, saw, lost, probs
    finally:
        unfreeze()
        m.kill()
        ag.cleanup()


# ---------------------------------------------------------------------------------------------- c
async def fault_c():
    n = ARGS.kills or (10 if ARGS.short else 100)
    name = "c. agnod SIGKILLed at random moments x%d (10 runs streaming)" % n
    m = rc.ModelServer(delay=0.01, tokens=40).start()
    ag = rc.Agnod(ARGS.agnod, {"p": m.port}, {"two": rc.wf_yaml("two", "p")},
                  limits={"active_runs": 64, "active_runs_per_user": 64, "connections_per_user": 500}).start()
    live = Live()
    probs = []
    acked = set()        # run ids whose start was answered
    sent = set()         # run ids whose start was sent
    ended = {}           # run_id -> status seen in an end
    last = {}            # run_id -> last seq seen live
    rng = random.Random()

    async def follow(run_id, start):
        """Start (stream:true, our run_id) or re-attach after the last seq seen; read until end or break."""
        try:
            c = await rc.Conn.open(ag.sock, timeout=5)
        except Exception:
            return
        try:
            if start:
                sent.add(run_id)
                res, rid = await rc.start_run(c, "two", True, timeout=30, run_id=run_id)
                acked.add(run_id)
                sr = rc.StreamRead(0)
                await rc.read_frames(c, rid, sr, 60)
            else:
                sr = await rc.attach(c, run_id, last.get(run_id, 0), 60)
            live.add(run_id, sr)
            for p in rc.check_stream(sr, full=sr.end is not None):
                probs.append("run %s live: %s" % (run_id, p))
            if sr.events:
                last[run_id] = sr.events[-1][0]
            if sr.end:
                ended[run_id] = sr.end.get("status")
        except rc.ConnClosed:
            pass
        except rc.ProtocolError as e:
            if "not_found" in str(e) and run_id not in acked:
                pass   # killed before the start was stored/answered: not acknowledged
            else:
                probs.append("run %s: %s" % (run_id, e))
        except Exception as e:
            probs.append("run %s: %r" % (run_id, e))
        finally:
            await c.close()

    restarts_s = []
    try:
        for k in range(n):
            active = [r for r in sent if r not in ended]
            tasks = [asyncio.create_task(follow(r, False)) for r in active]
            for _ in range(max(0, 10 - len(active))):
                tasks.append(asyncio.create_task(follow("kill-%d-%s" % (k, uuid.uuid4().hex[:8]), True)))
            await asyncio.sleep(rng.uniform(0.02, 1.5))
            ag.kill(signal.SIGKILL)
            await asyncio.wait(tasks, timeout=10)
            t0 = time.monotonic()
            ag.start()
            restarts_s.append(time.monotonic() - t0)
        # let every run finish
        for _ in range(5):
            active = [r for r in sent if r not in ended]
            if not active:
                break
            await asyncio.wait([asyncio.create_task(follow(r, False)) for r in active], timeout=90)
        # runs sent but never acknowledged may legitimately not exist
        ids = [r for r in sorted(sent) if r in acked or r in live.ev]
        unacked_present = 0
        c = await rc.Conn.open(ag.sock)
        for r in sorted(sent - set(ids)):
            try:
                await c.call({"op": "status", "run_id": r}, 10)
                ids.append(r)
                unacked_present += 1
            except rc.ProtocolError:
                pass
        await c.close()
        p2, lost, statuses, replays = await replay_check(ag.sock, live, ids)
        probs += p2
        resumed = sum(1 for sr in replays.values() if any(e.get("resumed") for _, _, e in sr.events))
        if not ag.alive():
            probs.append("agnod not running at the end")
        saw = ("%d kills, restart %.2f s median; %d runs started (%d acknowledged), final %s, %d runs with a resumed step; "
               "%d live events compared" % (n, sorted(restarts_s)[len(restarts_s) // 2], len(sent), len(acked),
                                           statuses, resumed, live.count()))
        if probs or lost:
            ag.keep = True   # the logs of every start, for the next look
            saw += "; agnod's logs kept in %s" % ag.dir
        return name, saw, lost, probs
    finally:
        m.kill()
        ag.cleanup()


# ---------------------------------------------------------------------------------------------- d
async def fault_d():
    tokens = 100000 if ARGS.short else 300000
    name = "d. client never reads a long stream (%d chunks)" % tokens
    fast = rc.ModelServer(delay=0, tokens=tokens).start()
    m = rc.ModelServer(delay=0.005, tokens=20).start()
    ag = rc.Agnod(ARGS.agnod, {"fast": fast.port, "p": m.port},
                  {"long": rc.wf_yaml("long", "fast", steps=1), "two": rc.wf_yaml("two", "p")},
                  limits={"active_runs": 64, "active_runs_per_user": 64, "connections_per_user": 500}).start()
    probs = []
    try:
        rss0 = ag.rss_kb()
        s = socket.socket(socket.AF_UNIX)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(ag.sock)
        s.sendall(b'{"id":"lazy","op":"start","workflow":"long","input":"x","stream":true,"run_id":"lazy-run"}\n')
        t0 = time.monotonic()
        peak = [rss0]
        stop = asyncio.Event()

        async def sample():
            while not stop.is_set():
                v = ag.rss_kb()
                if v:
                    peak[0] = max(peak[0], v)
                await asyncio.sleep(0.2)
        sampler = asyncio.create_task(sample())
        # other clients meanwhile
        short = []
        c = await rc.Conn.open(ag.sock)
        long_status, waited = None, 0
        while time.monotonic() - t0 < 180:
            t1 = time.monotonic()
            res, rid = await rc.start_run(c, "two", True)
            sr = rc.StreamRead(0)
            await rc.read_frames(c, rid, sr, 60)
            short.append((time.monotonic() - t1) * 1000)
            for p in rc.check_stream(sr):
                probs.append("short run: %s" % p)
            if sr.end.get("status") != "COMPLETED":
                probs.append("short run ended %s" % sr.end.get("status"))
            try:
                st = await c.call({"op": "status", "run_id": "lazy-run"}, 10)
                long_status = st.get("status")
                last_seq = st.get("last_seq")
            except rc.ProtocolError as e:
                long_status = str(e)
            if long_status in rc.TERMINAL and len(short) >= 5:
                break
        long_s = time.monotonic() - t0
        await c.close()
        stop.set()
        await sampler
        if long_status != "COMPLETED":
            probs.append("the unread run is %s after %.0f s" % (long_status, long_s))
        # now read everything the lazy client was sent: contiguous from 1 to end
        s.settimeout(60)
        f = s.makefile("rb")
        first = json.loads(f.readline())
        nbytes, expect, bad, end = 0, 1, 0, None
        while True:
            line = f.readline()
            if not line:
                break
            nbytes += len(line)
            o = json.loads(line)
            if o["type"] == "event":
                if o["seq"] != expect:
                    bad += 1
                    if bad < 4:
                        probs.append("lazy stream: seq %d where %d expected" % (o["seq"], expect))
                expect = o["seq"] + 1
            elif o["type"] == "end":
                end = o["run"]
                break
            else:
                probs.append("lazy stream: %r" % line[:200])
                break
        s.close()
        if first.get("type") != "result":
            probs.append("lazy start answered %r" % first)
        if end is None:
            probs.append("lazy stream had no end")
        elif end.get("last_seq") != expect - 1:
            probs.append("lazy end.last_seq %s != last seen %d" % (end.get("last_seq"), expect - 1))
        growth = (peak[0] - rss0) / 1024
        if growth > 0.5 * nbytes / 2 ** 20 and growth > 64:
            probs.append("RSS grew %.0f MiB for a %.0f MiB unread stream" % (growth, nbytes / 2 ** 20))
        if short and max(short) > 10000:
            probs.append("a short run took %.0f ms while the stream was unread" % max(short))
        if not ag.alive():
            probs.append("agnod died")
        saw = ("unread run %s in %.1f s (last_seq %s); %d short runs meanwhile p50 %.0f ms max %.0f ms; "
               "RSS %.0f -> peak %.0f MiB for %.0f MiB of unread stream; later read: %d events, seq gaps %d, end %s"
               % (long_status, long_s, end and end.get("last_seq"), len(short), rc.lat_summary(short)[1] or 0,
                  max(short) if short else 0, rss0 / 1024, peak[0] / 1024, nbytes / 2 ** 20, expect - 1, bad,
                  end and end.get("status")))
        return name, saw, [], probs
    finally:
        fast.kill()
        m.kill()
        ag.cleanup()


# ---------------------------------------------------------------------------------------------- e
async def fault_e():
    req = b'{"id":1,"op":"list"}\n'
    nslow = 1 if ARGS.short else 20
    per_byte = (20.0 / len(req)) if ARGS.short else 1.0
    name = "e. slowloris: %d client(s) sending 1 byte per %.1f s (%d bytes)" % (nslow, per_byte, len(req))
    m = rc.ModelServer(delay=0.005, tokens=20).start()
    ag = rc.Agnod(ARGS.agnod, {"p": m.port}, {"two": rc.wf_yaml("two", "p")},
                  limits={"active_runs": 64, "active_runs_per_user": 64, "connections_per_user": 500}).start()
    probs = []
    try:
        outcomes = {}

        async def slow(i):
            try:
                r, w = await asyncio.open_unix_connection(ag.sock)
            except Exception as e:
                outcomes[i] = "connect failed %r" % e
                return
            t0 = time.monotonic()
            try:
                for k in range(len(req)):
                    w.write(req[k:k + 1])
                    await w.drain()
                    await asyncio.sleep(per_byte)
                line = await asyncio.wait_for(r.readline(), 10)
                if not line:
                    outcomes[i] = "closed by agnod after %.1f s, no answer" % (time.monotonic() - t0)
                else:
                    o = json.loads(line)
                    outcomes[i] = "answered %s (id %r) after %.1f s" % (o.get("type"), o.get("id"), time.monotonic() - t0)
            except (ConnectionError, OSError) as e:
                outcomes[i] = "connection broken after %.1f s: %s" % (time.monotonic() - t0, e)
            except asyncio.TimeoutError:
                outcomes[i] = "no answer 10 s after the line completed"
            finally:
                w.close()

        slows = [asyncio.create_task(slow(i)) for i in range(nslow)]
        lat = {"start->end": [], "status": [], "list": []}
        c = await rc.Conn.open(ag.sock)
        while not all(t.done() for t in slows):
            t1 = time.monotonic()
            res, rid = await rc.start_run(c, "two", True)
            sr = rc.StreamRead(0)
            await rc.read_frames(c, rid, sr, 60)
            lat["start->end"].append((time.monotonic() - t1) * 1000)
            for p in rc.check_stream(sr):
                probs.append("run: %s" % p)
            t1 = time.monotonic()
            await c.call({"op": "status", "run_id": res["run_id"]}, 10)
            lat["status"].append((time.monotonic() - t1) * 1000)
            t1 = time.monotonic()
            await c.call({"op": "list", "limit": 5}, 10)
            lat["list"].append((time.monotonic() - t1) * 1000)
        await c.close()
        for k, v in lat.items():
            if v and max(v) > 5000:
                probs.append("%s took up to %.0f ms while slow clients were connected" % (k, max(v)))
        answered = sum(1 for o in outcomes.values() if o.startswith("answered result"))
        if not ag.alive():
            probs.append("agnod died")
        kinds = {}
        for o in outcomes.values():
            kinds[o.split(" after")[0]] = kinds.get(o.split(" after")[0], 0) + 1
        saw = ("others: %d runs p50 %.0f ms / status p50 %.1f ms / list p50 %.1f ms meanwhile; slow client(s): %s (e.g. %s)"
               % (len(lat["start->end"]), rc.lat_summary(lat["start->end"])[1] or 0, rc.lat_summary(lat["status"])[1] or 0,
                  rc.lat_summary(lat["list"])[1] or 0, kinds, list(outcomes.values())[:1]))
        if answered < nslow:
            saw += " [not every slow request was answered]"
        return name, saw, [], probs
    finally:
        m.kill()
        ag.cleanup()


FAULTS = {"a": fault_a, "b": fault_b, "c": fault_c, "d": fault_d, "e": fault_e}


async def amain():
    rc.raise_nofile()
    rows = []
    for key in ARGS.only.split(","):
        fn = FAULTS[key.strip()]
        t0 = time.monotonic()
        try:
            name, saw, lost, probs = await asyncio.wait_for(fn(), ARGS.fault_timeout)
        except Exception as e:
            import traceback
            traceback.print_exc()
            name, saw, lost, probs = fn.__name__, "fault script failed: %r" % e, [], ["exception %r" % e]
        ok = not probs and not lost
        skipped = saw.startswith("SKIPPED")
        res = "SKIP" if skipped else ("PASS" if ok else "FAIL")
        lost_txt = "no" if not lost else "YES: %d (%s)" % (len(lost), short_list(lost, 3))
        print("[%s] %s (%.0f s): %s; acknowledged lost: %s" % (res, name, time.monotonic() - t0, saw, lost_txt), flush=True)
        for p in probs[:10]:
            print("    problem:", p)
        if len(probs) > 10:
            print("    … %d more problems" % (len(probs) - 10))
        for l in lost[:10]:
            print("    lost:", l)
        rows.append((name, saw, lost_txt, res))
    print()
    print("| fault | what the user sees | acknowledged lost | result |")
    print("|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(x.replace("|", "/") for x in r) + " |")
    return all(r[3] != "FAIL" for r in rows)


def main():
    global ARGS
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--agnod", required=True)
    p.add_argument("--short", action="store_true")
    p.add_argument("--only", default="a,b,c,d,e")
    p.add_argument("--kills", type=int, default=0, help="c: number of SIGKILLs (default 100, --short 10)")
    p.add_argument("--fault-timeout", type=float, default=0, help="seconds per fault (default 300, 1800 for c)")
    ARGS = p.parse_args()
    ARGS.agnod = os.path.abspath(ARGS.agnod)
    if not ARGS.fault_timeout:
        ARGS.fault_timeout = 300 if ARGS.short else 1800
    ok = asyncio.run(amain())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
