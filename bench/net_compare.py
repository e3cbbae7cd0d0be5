#!/usr/bin/env python3
"""Run gort's network benchmarks (issue 19) against Go 1.19 net and Boost.Asio; print Markdown.

One load client, <build-dir>/bench/netload (bench/net/netload.cpp), drives every server. The
server runs pinned to CPU 1 (`taskset -c 1`, GOMAXPROCS=1 where the runtime has Ps), the
client pinned to CPU 0 (`taskset -c 0`), so a ratio between two servers is a ratio per core.

Sides (a missing binary is reported once and its column shows "—"):
  gort-uring  <build-dir>/bench/gort_echo   GOMAXPROCS=1 GODEBUG=netpoll=uring
  gort-epoll  <build-dir>/bench/gort_echo   GOMAXPROCS=1 GODEBUG=netpoll=epoll
  Go          bench/net/go, built here into <build-dir>/bench/net-go-echo   GOMAXPROCS=1
  Asio        <build-dir>/bench/asio_echo   (one io_context, one thread)

Rows: echo ping-pong with 64 B and 512 B messages × 1/16/64/256/1000 connections (msg/s, p50
and p99 round trip in µs), streaming echo over one connection (MB/s, 10^6 bytes), and 10,000
idle connections (server resident bytes per connection). Each measurement starts a fresh
server; a rep runs every row on every side, sides interleaved, and the table shows medians
over --reps reps. The client also reports its own CPU use and the server's over the counted
interval (a server below ~95 % was not the bottleneck: the client or the network path was).

Usage:
  python3 bench/net_compare.py --build-dir build [--reps 5] [--sides go,asio,gort-uring,gort-epoll]
                               [--quick] [--json-out F] [--markdown-out F]
--quick: one rep, 0.1 s warm-up and 0.3 s counted per row, 1 and 64 connections only.
Exit status is non-zero if any measurement failed (after printing what it has).
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
GO_DIR = BENCH_DIR / "net" / "go"
REPO_DIR = BENCH_DIR.parent

CLIENT_CPU = "0"
SERVER_CPU = "1"
CONNS = (1, 16, 64, 256, 1000)
QUICK_CONNS = (1, 64)
SIZES = (64, 512)
IDLE_CONNS = 10_000

# Side name -> (binary name in <build-dir>/bench, extra environment).
SIDES = {
    "Go": ("net-go-echo", {"GOMAXPROCS": "1"}),
    "Asio": ("asio_echo", {}),
    "gort-uring": ("gort_echo", {"GOMAXPROCS": "1", "GODEBUG": "netpoll=uring"}),
    "gort-epoll": ("gort_echo", {"GOMAXPROCS": "1", "GODEBUG": "netpoll=epoll"}),
}
SIDE_ALIASES = {"go": "Go", "asio": "Asio", "boost": "Asio", "gort-uring": "gort-uring",
                "gort-epoll": "gort-epoll", "uring": "gort-uring", "epoll": "gort-epoll",
                "gort": None}  # "gort" = both backends
# The machine is shared: a measurement waits until both CPUs together are less busy than
# QUIET_LIMIT (in CPUs) over 0.5 s, and is repeated (--retries) when CPU time used by neither
# the client nor the server ("foreign") exceeded FOREIGN_LIMIT CPUs during it.
QUIET_LIMIT = 0.10
FOREIGN_LIMIT = 0.10
# Ratios printed: (numerator side, denominator side).
RATIOS = (("gort-uring", "Go"), ("gort-epoll", "Go"), ("Asio", "Go"))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


class MeasureError(Exception):
    pass


def build_go(build_dir: Path, go: str, source_dir: Path = GO_DIR, name: str = "net-go-echo") -> Path:
    """Builds the Go program in source_dir into <build_dir>/bench/name (the echo server by default)."""
    out = (build_dir / "bench").resolve()
    out.mkdir(parents=True, exist_ok=True)
    binary = out / name
    env = dict(os.environ, GOPROXY="off", GO111MODULE="on")  # stdlib only: never fetch
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=source_dir, env=env, check=True, timeout=300)
    return binary


class Server:
    """An echo server pinned to SERVER_CPU; its first stdout line is its bound address."""

    def __init__(self, binary: Path, env: dict, timeout: float):
        argv = ["taskset", "-c", SERVER_CPU, str(binary)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=dict(os.environ, **env))
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline().decode()),
                                  daemon=True)
        reader.start()
        reader.join(timeout)
        if not line or not line[0].strip():
            self.stop()
            raise MeasureError(f"{binary.name}: no address on stdout (stderr: {self.stderr_tail()})")
        self.addr = line[0].strip()
        self.pid = self.proc.pid  # taskset execs the server: same process

    def stderr_tail(self) -> str:
        try:
            return self.proc.stderr.read().decode(errors="replace")[-500:].strip()
        except (OSError, ValueError):
            return ""

    def stop(self) -> None:
        """End of file on stdin; SIGTERM after 5 s, SIGKILL after 5 s more."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(5)
                return
            except subprocess.TimeoutExpired:
                continue


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks() -> dict[str, list[int]]:
    """Per CPU (cpu0, cpu1, …): the tick counters of /proc/stat (user nice system idle iowait
    irq softirq steal)."""
    res = {}
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu") and line[3].isdigit():
                name, *vals = line.split()
                res[name] = [int(x) for x in vals[:8]]
    return res


def busy_between(before: dict, after: dict) -> dict[str, float]:
    """Busy fraction of each CPU (user, nice, system, irq, softirq) between two cpu_ticks()
    snapshots.  Softirq time counts: the loopback's TCP input runs there, inside the
    sending process's system call, and the kernel charges it to that process's CPU time too
    (/proc/<pid>/stat), so busy minus client minus server is what other processes used."""
    res = {}
    for c in after:
        d = [a - b for a, b in zip(after[c], before.get(c, after[c]))]
        total = sum(d)
        res[c] = (d[0] + d[1] + d[2] + d[5] + d[6]) / total if total > 0 else 0.0
    return res


def proc_cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system, all threads) of pid; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)
    except (OSError, IndexError, ValueError):
        return 0.0


def wait_quiet(limit: float, max_wait: float) -> float:
    """Waits (at most max_wait s) until the CPUs were busy less than `limit` (summed over
    CPUs, 1.0 = one CPU) over a 0.5 s sample; returns the last sample's busy sum."""
    deadline = time.monotonic() + max_wait
    while True:
        before = cpu_ticks()
        time.sleep(0.5)
        busy = sum(busy_between(before, cpu_ticks()).values())
        if busy < limit or time.monotonic() >= deadline:
            return busy
        log(f"  waiting: CPUs {busy:.2f} busy (others are running)")
        time.sleep(2.0)


def run_client(netload: Path, server: Server, args_: list[str], timeout: float) -> dict:
    argv = ["taskset", "-c", CLIENT_CPU, str(netload), "--addr", server.addr,
            "--server-pid", str(server.pid)] + args_
    ticks0, srv0 = cpu_ticks(), proc_cpu_seconds(server.pid)
    ru0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise MeasureError(f"client timed out after {timeout} s: {shlex.join(argv)}") from None
    ticks1, srv1 = cpu_ticks(), proc_cpu_seconds(server.pid)
    ru1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    try:
        obj = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise MeasureError(f"client printed no JSON (rc {p.returncode}): {p.stderr[-500:]}") from None
    if "error" in obj or p.returncode != 0:
        raise MeasureError(f"client: {obj.get('error', p.stderr[-500:])} ({shlex.join(argv)})")
    # Whole-run busy fraction of each CPU in processes (warm-up and connection set-up
    # included), and the part of it that neither the client nor the server used ("foreign",
    # in CPUs): anything else that ran on the two CPUs, this script included.
    busy = busy_between(ticks0, ticks1)
    wall = t1 - t0
    client_s = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    obj["cpu_busy"] = {c: round(v, 3) for c, v in busy.items()}
    obj["foreign_cpu"] = round(sum(busy.values()) - (client_s + (srv1 - srv0)) / wall, 3)
    return obj


def measure(binary: Path, env: dict, netload: Path, client_args: list[str], timeout: float) -> dict:
    """One measurement: a fresh server, one client run, the server stopped."""
    server = Server(binary, env, timeout=10)
    try:
        return run_client(netload, server, client_args, timeout)
    finally:
        server.stop()


def rows(quick: bool) -> list[dict]:
    conns = QUICK_CONNS if quick else CONNS
    r = []
    for size in SIZES:
        for n in conns:
            r.append({"key": f"pingpong_{size}B_c{n}", "label": f"echo {size} B × {n} conn",
                      "args": ["--mode", "pingpong", "--size", str(size), "--conns", str(n)],
                      "metrics": (("msg_per_s", "msg/s", True), ("p50_us", "p50 µs", False),
                                  ("p99_us", "p99 µs", False),
                                  ("server_us_per_msg", "server CPU µs/msg", False))})
    r.append({"key": "stream_c1", "label": "streaming echo, 1 conn, 64 KiB writes",
              "args": ["--mode", "stream", "--conns", "1", "--chunk", "65536"],
              "metrics": (("mb_per_s", "MB/s", True),)})
    r.append({"key": f"idle_c{IDLE_CONNS}", "label": f"{IDLE_CONNS:,} idle conns",
              "args": ["--mode", "idle", "--conns", str(IDLE_CONNS)],
              "metrics": (("bytes_per_conn", "RSS B/conn", False),)})
    return r


def fmt(v: float | None) -> str:
    if v is None:
        return "—"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:.0f}"
    return f"{v:.1f}"


def measure_all(args, table_rows, sides, binaries, netload, samples, failures) -> None:
    """Every rep: every row on every side, sides interleaved; samples[row][side] gets each
    kept measurement, failures each failed one."""
    timing = ["--warmup", str(args.warmup), "--duration", str(args.duration)]
    for rep in range(args.reps):
        for r in table_rows:
            for side in sides:
                if side not in binaries:
                    continue
                for attempt in range(1 + args.retries):
                    if args.quiet_wait > 0:
                        wait_quiet(QUIET_LIMIT, args.quiet_wait)
                    try:
                        obj = measure(binaries[side], SIDES[side][1], netload, r["args"] + timing, args.timeout)
                    except MeasureError as e:
                        failures.append(f"{side} {r['key']}: {e}")
                        log(f"FAIL {side} {r['key']}: {e}")
                        break
                    shown = ", ".join(f"{m[1]} {fmt(obj.get(m[0]))}" for m in r["metrics"])
                    log(f"rep {rep + 1}/{args.reps} {r['key']:<22} {side:<11} {shown}"
                        f"  (cpu client {obj.get('client_cpu', -1):.2f} server {obj.get('server_cpu', -1):.2f}"
                        f" foreign {obj['foreign_cpu']:.2f})")
                    obj["attempt"] = attempt + 1
                    if obj["foreign_cpu"] <= FOREIGN_LIMIT or attempt == args.retries:
                        samples[r["key"]][side].append(obj)
                        break
                    log(f"  foreign CPU use {obj['foreign_cpu']:.2f} > {FOREIGN_LIMIT}: measuring again")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", type=Path, default=REPO_DIR / "build")
    ap.add_argument("--sides", default="go,asio,gort-uring,gort-epoll")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=0.5, help="seconds before counting (default 0.5)")
    ap.add_argument("--duration", type=float, default=2.0, help="seconds counted per row (default 2)")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--filter", default="", help="only rows whose key contains this")
    ap.add_argument("--go", default=shutil.which("go") or "go")
    ap.add_argument("--timeout", type=float, default=60.0, help="cap per client process (s)")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each measurement, wait up to this many s for the CPUs to be idle (0: never)")
    ap.add_argument("--retries", type=int, default=2,
                    help="measure again when other processes used > %.2f CPU during a run" % FOREIGN_LIMIT)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--markdown-out", type=Path)
    args = ap.parse_args()
    if args.quick:
        args.reps, args.warmup, args.duration = 1, 0.1, 0.3

    sides: list[str] = []
    for s in args.sides.split(","):
        s = s.strip().lower()
        if s not in SIDE_ALIASES:
            ap.error(f"unknown side {s!r}")
        for name in ([SIDE_ALIASES[s]] if SIDE_ALIASES[s] else ["gort-uring", "gort-epoll"]):
            if name not in sides:
                sides.append(name)
    if os.cpu_count() is None or int(SERVER_CPU) >= len(os.sched_getaffinity(0)):
        log("note: fewer than 2 CPUs: client and server share one")

    bench = args.build_dir / "bench"
    netload = bench / "netload"
    if not netload.exists():
        log(f"error: {netload} missing (ninja -C {args.build_dir} netload asio_echo gort_echo)")
        return 2
    binaries: dict[str, Path] = {}
    for side in sides:
        if side == "Go":
            try:
                binaries[side] = build_go(args.build_dir, args.go)
            except (OSError, subprocess.SubprocessError) as e:
                log(f"note: Go: cannot build bench/net/go ({e}); column left empty")
            continue
        b = bench / SIDES[side][0]
        if b.exists():
            binaries[side] = b.resolve()
        else:
            log(f"note: {side}: {b} missing; column left empty")

    table_rows = [r for r in rows(args.quick) if args.filter in r["key"]]
    started = datetime.datetime.now(datetime.timezone.utc)
    load_before = os.getloadavg()
    samples: dict[str, dict[str, list[dict]]] = {r["key"]: {s: [] for s in sides} for r in table_rows}
    failures: list[str] = []
    try:
        measure_all(args, table_rows, sides, binaries, netload, samples, failures)
    except KeyboardInterrupt:  # SIGINT: keep what was measured
        failures.append("interrupted: the medians are over the reps that ran")
        log("interrupted: printing what was measured")
    load_after = os.getloadavg()

    def median(key: str, side: str, metric: str) -> float | None:
        vals = [o[metric] for o in samples[key][side] if isinstance(o.get(metric), (int, float))]
        return statistics.median(vals) if vals else None

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), cpu)
    except OSError:
        pass
    go_version = ""
    try:
        go_version = subprocess.run([args.go, "version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    cmd = "python3 bench/net_compare.py " + shlex.join(sys.argv[1:])
    ratios = [(a, b) for a, b in RATIOS if a in sides and b in sides]
    head = [f"`{cmd}` — {started:%Y-%m-%d %H:%M} UTC, {platform.node()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Linux {platform.release()}, {go_version}; client on CPU {CLIENT_CPU}, server on CPU {SERVER_CPU}; "
            f"median of {args.reps}; {args.warmup} s warm-up + {args.duration} s counted per row; "
            f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after. "
            f"Ratios divide the values: above 1 is better for msg/s and MB/s, below 1 for the rest.",
            ""]
    cols = ["row", "metric"] + sides + [f"{a}/{b}" for a, b in ratios]
    md = head + ["| " + " | ".join(cols) + " |", "|" + "---|" * 2 + "---:|" * (len(cols) - 2)]
    for r in table_rows:
        for metric, label, _ in r["metrics"]:
            vals = {s: median(r["key"], s, metric) for s in sides}
            cells = [r["label"], label] + [fmt(vals[s]) for s in sides]
            for a, b in ratios:
                cells.append(f"{vals[a] / vals[b]:.2f}" if vals[a] is not None and vals[b] else "—")
            md.append("| " + " | ".join(cells) + " |")
    md += ["", "CPU use over the counted interval, median (client on CPU 0 / server on CPU 1; "
           "1.00 = one whole CPU):", "",
           "| row | " + " | ".join(sides) + " |", "|---|" + "---:|" * len(sides)]
    for r in table_rows:
        if r["key"].startswith("idle"):
            continue
        cells = [r["label"]]
        for s in sides:
            c, sv = median(r["key"], s, "client_cpu"), median(r["key"], s, "server_cpu")
            cells.append("—" if c is None else f"{c:.2f} / {sv:.2f}")
        md.append("| " + " | ".join(cells) + " |")
    all_obj = [o for r in table_rows for s in sides for o in samples[r["key"]][s]]
    foreign = sorted(o["foreign_cpu"] for o in all_obj)
    if foreign:
        repeated = sum(1 for o in all_obj if o.get("attempt", 1) > 1)
        md += ["", f"Other load during the kept measurements (CPU time used by neither client nor server, "
               f"in CPUs, whole run): median {statistics.median(foreign):.3f}, max {foreign[-1]:.3f}; "
               f"{repeated} of {len(all_obj)} kept after a repeat, "
               f"{sum(1 for x in foreign if x > FOREIGN_LIMIT)} over the limit {FOREIGN_LIMIT} after all repeats."]
    if failures:
        md += ["", "Failures:", ""] + [f"- {f}" for f in failures]
    text = "\n".join(md) + "\n"
    print(text)
    if args.markdown_out:
        args.markdown_out.write_text(text)
    if args.json_out:
        out = {"command": cmd, "started": started.isoformat(), "machine": {"node": platform.node(), "cpu": cpu,
               "cpus": os.cpu_count(), "kernel": platform.release(), "go": go_version},
               "load_average_before": load_before, "load_average_after": load_after,
               "reps": args.reps, "warmup_s": args.warmup, "duration_s": args.duration,
               "rows": {r["key"]: {"label": r["label"], "client_args": r["args"],
                                   "median": {s: {m[0]: median(r["key"], s, m[0]) for m in r["metrics"]}
                                              for s in sides},
                                   "samples": samples[r["key"]]} for r in table_rows},
               "failures": failures}
        args.json_out.write_text(json.dumps(out, indent=1) + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
