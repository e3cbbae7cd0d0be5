#!/usr/bin/env python3
"""Writes a synthetic trace-viewer view model (and optionally the page built
from it) for looking at the web UI and measuring it without a real trace.

    gen_synthetic.py --preset small --html small.html
    gen_synthetic.py --preset big --json big.json --html big.html   # ~3M slices

A small discrete-event simulation produces a consistent picture: Ps take the
goroutine that has been runnable longest, run it for an exponential time, and
the goroutine then blocks (with a wait reason), enters a blocking call that
keeps its P, or exits.  Long-lived workers and short-lived handlers (which
spawn during the run) make tens of thousands of goroutines.  The heap grows
with each run; reaching the goal starts a GC cycle: a stop-the-world pause, a
concurrent mark with one dedicated worker P and assists, a second pause, and a
new goal.  Regions and log entries sit on the handlers.  Only the standard
library is used.
"""
import argparse
import heapq
import json
import math
import pathlib
import random
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import fill_template  # noqa: E402

PRESETS = {
    # a few goroutines, two Ps, a couple of GC cycles
    "small": dict(procs=2, goroutines=8, slices=400, seed=7, gc_cycles=3),
    # a mid-sized trace, quick to generate
    "medium": dict(procs=8, goroutines=2000, slices=200_000, seed=11, gc_cycles=8),
    # the load test: about three million slices
    "big": dict(procs=8, goroutines=20_000, slices=3_000_000, seed=13, gc_cycles=24),
}

GROUPS_WORKER = ["main.worker", "main.(*Pool).loop", "runtime.bgsweep", "main.producer", "main.consumer"]
GROUPS_HANDLER = ["net/http.(*conn).serve", "main.handleRequest", "main.fetchAll.func1",
                  "golang.org/x/sync/errgroup.(*Group).Go.func1"]
REASONS = ["chan receive", "chan send", "select", "sync.Mutex.Lock", "sync.WaitGroup.Wait",
           "sleep", "IO wait", "sync.Cond.Wait", "GC assist wait"]
REASON_WEIGHTS = [30, 10, 20, 8, 4, 10, 14, 2, 1]
SYSCALLS = ["read", "write", "epoll_wait", "futex", "openat"]


class Strings:
    def __init__(self):
        self.table = [""]
        self.index = {"": 0}

    def __call__(self, s):
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.table)
            self.table.append(s)
        return i


def simulate(procs, goroutines, slices, seed, gc_cycles, title):
    rng = random.Random(seed)
    S = Strings()
    runs_expected = max(20, slices // 4)
    workers = max(2, min(goroutines // 10, 400)) if goroutines > 2 else goroutines
    handlers = max(0, goroutines - workers)
    handler_runs = max(3, int(0.45 * runs_expected / handlers)) if handlers else 0
    spawn_p = 1.15 * handlers / runs_expected if handlers else 0.0
    run_mean = 9_000.0          # ns a goroutine runs before blocking
    alloc_mean = 24 * 1024      # bytes allocated per run
    live = max(256 * 1024, runs_expected * alloc_mean // gc_cycles)
    heap, goal = live, 2 * live

    total = 0                   # slices so far
    G = []                      # per goroutine: dict with slices
    ready = []                  # heap of (time runnable from, seq, gi)
    seq = 0

    def new_g(t, group, runs_left, handler):
        nonlocal seq
        gi = len(G)
        G.append({"id": gi + 1, "group": S(group), "st": [], "du": [], "sa": [], "re": [],
                  "runs": runs_left, "handler": handler, "born": t, "region": None})
        seq += 1
        heapq.heappush(ready, (t, seq, gi))
        return gi

    def add(g, a, b, state, reason=0):
        nonlocal total
        if b <= a:
            return
        st = g["st"]
        if st and g["sa"][-1] == state and g["re"][-1] == reason and st[-1] + g["du"][-1] == a:
            g["du"][-1] += b - a   # same state again: extend
            return
        st.append(a); g["du"].append(b - a); g["sa"].append(state); g["re"].append(reason)
        total += 1

    for w in range(workers):
        new_g(rng.randrange(0, 20_000), GROUPS_WORKER[w % len(GROUPS_WORKER)], -1, False)

    P = [{"st": [], "du": [], "g": [], "k": []} for _ in range(procs)]
    pfree = [(0, p) for p in range(procs)]
    heapq.heapify(pfree)
    gc = {"start": [], "dur": [], "cycle": []}
    stw = {"start": [], "dur": [], "reason_str": []}
    gc_mark = None               # (start, end, cycle) of the running mark phase
    stw_windows = []             # (start, end)
    cycle = 0
    heap_t, heap_v, goal_t, goal_v = [0], [heap], [0], [goal]
    regions, logs = [], []       # (g, start, dur, name) / (t, g, cat, msg)
    runs = 0
    live_count = workers
    exits = []                   # (t, +1/-1) for the Goroutines counter
    for g in G:
        exits.append((g["born"], 1))
    last_t = 0

    while total < slices and ready:
        t, p = heapq.heappop(pfree)
        for a, b in stw_windows[-2:]:
            if a <= t < b:
                t = b
        if gc_mark and t >= gc_mark[1]:
            # mark done: second pause, new goal
            ms, me, cyc = gc_mark
            pause = rng.randint(15_000, 60_000)
            stw["start"].append(me); stw["dur"].append(pause); stw["reason_str"].append(S("GC mark termination"))
            stw_windows.append((me, me + pause))
            gc["start"].append(ms); gc["dur"].append(me + pause - ms); gc["cycle"].append(cyc)
            heap = int(live * rng.uniform(0.9, 1.15))
            goal = 2 * heap
            heap_t.append(me + pause); heap_v.append(heap)
            goal_t.append(me + pause); goal_v.append(goal)
            gc_mark = None
            if t < me + pause:
                t = me + pause
        if gc_mark and p == gc_mark[2] % procs and t < gc_mark[1]:
            d = min(rng.randint(40_000, 120_000), gc_mark[1] - t)
            P[p]["st"].append(t); P[p]["du"].append(d); P[p]["g"].append(0); P[p]["k"].append(1)
            total += 1
            heapq.heappush(pfree, (t + d, p))
            continue
        rt, _, gi = heapq.heappop(ready)
        if rt > t:
            t = rt
        g = G[gi]
        add(g, rt, t, 1)                         # waited for a P
        run = max(200, int(rng.expovariate(1 / run_mean)))
        alloc = int(rng.expovariate(1 / alloc_mean))
        # running, part of it assisting the GC while a mark is on
        if gc_mark and rng.random() < 0.35:
            assist = int(run * rng.uniform(0.2, 0.6))
            add(g, t, t + run - assist, 0)
            add(g, t + run - assist, t + run, 4)
        else:
            add(g, t, t + run, 0)
        P[p]["st"].append(t); P[p]["du"].append(run); P[p]["g"].append(g["id"]); P[p]["k"].append(0)
        total += 1
        end = t + run
        if rng.random() < 0.07:                  # a blocking call that keeps the P
            d = int(rng.expovariate(1 / 25_000)) + 1_000
            add(g, end, end + d, 3, S(rng.choice(SYSCALLS)))
            P[p]["st"].append(end); P[p]["du"].append(d); P[p]["g"].append(g["id"]); P[p]["k"].append(2)
            total += 1
            end += d
        heapq.heappush(pfree, (end, p))
        runs += 1
        last_t = max(last_t, end)
        heap += alloc
        if runs % 3 == 0:
            heap_t.append(end); heap_v.append(heap)
        if g["handler"] and g["region"] is None:
            g["region"] = t
        if g["handler"] and rng.random() < 0.25:
            logs.append((t + run // 2, g["id"], S("http"), S(f"GET /api/items/{rng.randrange(1000)} 200")))
        # spawn a handler
        if len(G) < goroutines and rng.random() < spawn_p:
            ng = new_g(t + run // 2, rng.choice(GROUPS_HANDLER), max(1, int(rng.expovariate(1 / handler_runs))), True)
            exits.append((G[ng]["born"], 1))
            live_count += 1
        # GC trigger
        if gc_mark is None and heap >= goal * 0.95 and cycle < 10 ** 9:
            cycle += 1
            pause = rng.randint(10_000, 40_000)
            stw["start"].append(end); stw["dur"].append(pause); stw["reason_str"].append(S("GC sweep termination"))
            stw_windows.append((end, end + pause))
            mark = max(200_000, int(runs_expected / gc_cycles * run_mean / procs * rng.uniform(0.15, 0.3)))
            gc_mark = (end, end + pause + mark, cycle)
        # what next: exit, or block until something wakes it
        g["runs"] -= 1
        if g["runs"] == 0:
            if g["region"] is not None:
                regions.append((g["id"], g["region"], end - g["region"], S("handleRequest")))
            exits.append((end, -1))
            live_count -= 1
            continue
        reason = rng.choices(REASONS, REASON_WEIGHTS)[0]
        # keep the Ps about 75% busy whatever the population
        block = int(rng.expovariate(1 / max(2_000.0, live_count * run_mean / (procs * 0.75))))
        if reason == "sleep":
            block = int(block * 1.5)
        if g["handler"] and reason == "IO wait" and block > 20_000 and rng.random() < 0.5:
            regions.append((g["id"], end, block, S("db.Query")))
        add(g, end, end + block, 2, S(reason))
        seq += 1
        heapq.heappush(ready, (end + block, seq, gi))

    duration = max([last_t] + [a + d for a, d in zip(gc["start"], gc["dur"])]) + 1_000
    # close every lane at the end of the trace
    for rt, _, gi in ready:
        g = G[gi]
        if g["st"] and g["st"][-1] >= duration:
            continue
        add(g, rt, duration, 1)
    for g in G:
        while g["st"] and g["st"][-1] >= duration:
            for k in ("st", "du", "sa", "re"):
                g[k].pop()
        if g["st"] and g["st"][-1] + g["du"][-1] > duration:
            g["du"][-1] = duration - g["st"][-1]
    heap_t.append(duration); heap_v.append(heap)
    goal_t.append(duration); goal_v.append(goal)

    def step_counter(events):
        events.sort()
        t, v, cur = [0], [0], 0
        for when, d in events:
            cur += d
            if t[-1] == when:
                v[-1] = cur
            else:
                t.append(when); v.append(cur)
        return t, v
    gor_t, gor_v = step_counter(exits)
    rq = []
    for g in G:
        for a, d, s in zip(g["st"], g["du"], g["sa"]):
            if s == 1:
                rq.append((a, 1)); rq.append((a + d, -1))
    run_t, run_v = step_counter(rq)

    regions.sort(key=lambda r: r[1])
    logs.sort()
    model = {
        "version": 1,
        "meta": {"title": title, "duration_ns": duration, "procs": procs, "goroutines": len(G),
                 "events": 0, "threads": procs + 2, "gc_cycles": len(gc["start"])},
        "strings": S.table,
        "procs": [{"id": i, "name": f"P{i}",
                   "slices": {"start": p["st"], "dur": p["du"], "g": p["g"], "kind": p["k"]}} for i, p in enumerate(P)],
        "goroutines": [{"id": g["id"], "name": f"G{g['id']}", "group_str": g["group"],
                        "slices": {"start": g["st"], "dur": g["du"], "state": g["sa"], "reason_str": g["re"]}} for g in G],
        "gc": gc,
        "stw": stw,
        "counters": [
            {"name": "HeapAlloc", "unit": "bytes", "t": heap_t, "v": heap_v},
            {"name": "HeapGoal", "unit": "bytes", "t": goal_t, "v": goal_v},
            {"name": "Goroutines", "unit": "count", "t": gor_t, "v": gor_v},
            {"name": "Runnable", "unit": "count", "t": run_t, "v": run_v},
        ],
        "regions": {"g": [r[0] for r in regions], "start": [r[1] for r in regions],
                    "dur": [r[2] for r in regions], "name_str": [r[3] for r in regions]},
        "logs": {"t": [x[0] for x in logs], "g": [x[1] for x in logs],
                 "category_str": [x[2] for x in logs], "message_str": [x[3] for x in logs]},
    }
    n_slices = sum(len(p["st"]) for p in P) + sum(len(g["st"]) for g in G)
    model["meta"]["events"] = n_slices + len(heap_t) + 2 * len(gc["start"])
    return model, n_slices


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), default="small")
    ap.add_argument("--procs", type=int)
    ap.add_argument("--goroutines", type=int)
    ap.add_argument("--slices", type=int, help="stop once about this many slices exist")
    ap.add_argument("--gc-cycles", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--title", help="meta.title (default: the output's file name)")
    ap.add_argument("--json", help="write the view model here")
    ap.add_argument("--html", help="write the self-contained page here")
    a = ap.parse_args()
    if not a.json and not a.html:
        ap.error("give --json and/or --html")
    cfg = dict(PRESETS[a.preset])
    for k in ("procs", "goroutines", "slices", "gc_cycles", "seed"):
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    title = a.title or pathlib.Path(a.html or a.json).stem + ".trace"
    model, n = simulate(title=title, **cfg)
    text = json.dumps(model, separators=(",", ":"))
    if a.json:
        pathlib.Path(a.json).write_text(text, encoding="utf-8")
    if a.html:
        pathlib.Path(a.html).write_text(fill_template.build_page(text), encoding="utf-8")
    print(f"{n} slices, {len(model['goroutines'])} goroutines, {len(model['procs'])} Ps, "
          f"{len(model['gc']['start'])} GC cycles, {model['meta']['duration_ns'] / 1e6:.1f} ms, "
          f"{len(text) / 1e6:.1f} MB of JSON", file=sys.stderr)


if __name__ == "__main__":
    main()
