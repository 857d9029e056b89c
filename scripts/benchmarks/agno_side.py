"""The agno side of scripts/bench: the same scenarios in-process, run in agno's venv. Prints one JSON object.

Usage: agno_side.py SCENARIO --port PORT [--runs N] [--clients N] [--seconds S] [--background N --background-port P]
"""
import argparse, asyncio, json, statistics, sys, threading, time

from agno.agent import Agent
from agno.models.openai.like import OpenAILike
from agno.workflow import Step, Workflow


def workflow(port):
    def model():
        return OpenAILike(id="m", base_url=f"http://127.0.0.1:{port}/v1", api_key="not-used")
    return Workflow(name="article", steps=[
        Step(name="research", agent=Agent(name="Research Agent", model=model(), instructions="Research the topic.")),
        Step(name="writing", agent=Agent(name="Writing Agent", model=model(), instructions="Write an article.")),
    ])


def nested_workflow(port):
    """bench.py's NESTED in agno's classes: the same 20 nodes and CEL expressions, one Agent object per step."""
    from agno.workflow import Condition, Loop, Parallel, Router, Steps

    def step(name):
        return Step(name=name, agent=Agent(name=name, model=OpenAILike(id="m", base_url=f"http://127.0.0.1:{port}/v1", api_key="not-used")))
    return Workflow(name="nested", steps=[
        Parallel(step("web"), step("papers"),
                 Loop(name="refine", max_iterations=2, end_condition='last_step_content.contains("DONE")',
                      steps=[step("draft"), step("critique")]),
                 name="gather"),
        Router(name="route", selector='input.contains("code") ? "coder" : "writing"',
               choices=[Steps(name="writing", steps=[step("outline"), step("compose")]), step("coder")]),
        Condition(name="check", evaluator='previous_step_content.contains("TODO")', steps=[step("fix")],
                  else_steps=[Steps(name="polish", steps=[step("edit"), step("proof")])]),
        Steps(name="finish", steps=[step("summary"), step("title")]),
        step("publish"),
    ])


def nested(a):
    """The 20-node workflow sequentially: ms per run, events per run, and which agent steps ran (a check)."""
    from agno.workflow import CEL_AVAILABLE
    if not CEL_AVAILABLE:
        return {"error": "cel-python is not installed"}
    wf = nested_workflow(a.port)
    out, events, ran = [], [], set()
    for i in range(a.runs + 3):
        t0 = time.perf_counter()
        n = 0
        status = None
        for ev in wf.run(input="x", stream=True, stream_events=True):
            n += 1
            if getattr(ev, "event", "") == "StepCompleted" and i == 0:
                ran.add(getattr(ev, "step_name", None))
            if getattr(ev, "event", "") in ("WorkflowCompleted", "WorkflowError", "WorkflowCancelled"):
                status = ev.event
        if i >= 3:
            out.append((time.perf_counter() - t0) * 1000)
            events.append(n)
    return {"ms": out, "events": events, "ran": sorted(x for x in ran if x), "status": status}


def sequential(a):
    wf = workflow(a.port)
    out = []
    for i in range(a.runs + 3):
        t0 = time.perf_counter()
        for _ in wf.run(input="x", stream=True):
            pass
        if i >= 3:
            out.append((time.perf_counter() - t0) * 1000)
    return {"ms": out}


def concurrent(a):
    async def main():
        done = 0
        stop = time.perf_counter() + a.seconds

        async def client():
            nonlocal done
            wf = workflow(a.port)
            while time.perf_counter() < stop:
                async for _ in wf.arun(input="x", stream=True):
                    pass
                done += 1
        t0 = time.perf_counter()
        await asyncio.gather(*[client() for _ in range(a.clients)])
        return done / (time.perf_counter() - t0)
    return {"runs_per_s": asyncio.run(main())}


def background(n, port, timeout=300):
    """n runs streaming from the model at `port` on one asyncio loop in a thread, until the process ends.
    Returns once every one of them has had its first content (or the timeout), with how many did."""
    started = [0]
    everyone = threading.Event()

    async def one():
        wf = workflow(port)
        first = True
        async for ev in wf.arun(input="x", stream=True):
            if first and getattr(ev, "event", "") == "RunContent":
                first = False
                started[0] += 1
                if started[0] >= n:
                    everyone.set()

    def runner():
        async def main():
            await asyncio.gather(*[one() for _ in range(n)], return_exceptions=True)
        asyncio.run(main())
    threading.Thread(target=runner, daemon=True).start()
    everyone.wait(timeout)
    return started[0]


def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024


def cancel(a):
    """Cancel sent -> the run's stream ends; None when it did not end within a.seconds."""
    extra = {}
    if a.background:
        before = rss_mb()
        t0 = time.perf_counter()
        extra["background_running"] = background(a.background, a.background_port)
        extra["background_start_s"] = time.perf_counter() - t0
        extra["rss_mb"] = rss_mb()
        extra["rss_per_run_kb"] = (extra["rss_mb"] - before) * 1024 / a.background
    wf = workflow(a.port)
    out = []
    for _ in range(a.runs):
        state = {"run_id": None, "contents": 0, "ended": threading.Event()}
        started = threading.Event()

        def consume():
            for ev in wf.run(input="x", stream=True):
                rid = getattr(ev, "run_id", None)
                if state["run_id"] is None and getattr(ev, "workflow_id", None) is not None and rid:
                    state["run_id"] = rid
                if type(ev).__name__.endswith("ContentEvent") or getattr(ev, "event", "") in ("RunContent", "StepOutput"):
                    state["contents"] += 1
                    if state["contents"] >= 3:
                        started.set()
            state["ended"].set()
        t = threading.Thread(target=consume, daemon=True)
        t.start()
        if not started.wait(10):
            started.set()
        t0 = time.perf_counter()
        wf.cancel_run(state["run_id"])
        ended = state["ended"].wait(a.seconds)
        out.append((time.perf_counter() - t0) * 1000 if ended else None)
        if not ended:
            break  # a stalled run stays stuck: one sample says it
    return {"ms": out, **extra}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario", choices=["import", "sequential", "concurrent", "cancel", "nested"])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--clients", type=int, default=64)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--background", type=int, default=0, help="cancel: this many other runs streaming meanwhile")
    p.add_argument("--background-port", type=int, default=0)
    a = p.parse_args()
    if a.scenario == "import":
        import resource
        result = {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    else:
        result = {"sequential": sequential, "concurrent": concurrent, "cancel": cancel, "nested": nested}[a.scenario](a)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
