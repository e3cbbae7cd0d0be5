#!/usr/bin/env python3
"""Run gort::http against Go 1.19 net/http under wrk; print Markdown.

The server runs pinned to CPU 1 with one P (GOMAXPROCS=1), wrk (one thread) pinned to CPU 0, as
bench/net_compare.py runs its echo servers, so a ratio between two servers is a ratio per core.

Sides:
  gort-uring  <build-dir>/bench/gort_http_hello   GOMAXPROCS=1 GODEBUG=netpoll=uring
  gort-epoll  <build-dir>/bench/gort_http_hello   GOMAXPROCS=1 GODEBUG=netpoll=epoll
  Go          bench/net/go_http, built here into <build-dir>/bench/net-go-http   GOMAXPROCS=1

Rows: GET / ("Hello, World!"), GET /json ({"message":"Hello, World!"} encoded per request) and
POST /order (an 8-item JSON order parsed, totalled and answered as JSON: the week-8 lab's hot
path; wrk sends it through a script this program writes) × 16 / 64 / 256 keep-alive connections: requests/s, p50 and p99 latency (wrk --latency), and the
server's CPU per request (/proc/<pid>/stat over the run), which is what "per core" compares when
wrk rather than the server is saturated. Each measurement starts a fresh server and first checks
its answer to the row's request (the order's total); a rep runs every row on every side, sides
interleaved; the table shows medians over --reps.

Usage:
  python3 bench/http_compare.py --build-dir build [--reps 3] [--duration 5] [--sides go,gort-uring,gort-epoll]
                                [--quick] [--markdown-out F] [--json-out F]
--quick: one rep of 2 s, 64 connections only.  --paths picks rows by path (e.g. /order).
Python 3 standard library; needs wrk (Debian package) and taskset.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import net_compare  # noqa: E402  (Server, CPU accounting, the quiet-machine wait)

BENCH_DIR = Path(__file__).resolve().parent
GO_DIR = BENCH_DIR / "net" / "go_http"

SIDES = {
    "Go": ("net-go-http", {"GOMAXPROCS": "1"}),
    "gort-uring": ("gort_http_hello", {"GOMAXPROCS": "1", "GODEBUG": "netpoll=uring"}),
    "gort-epoll": ("gort_http_hello", {"GOMAXPROCS": "1", "GODEBUG": "netpoll=epoll"}),
}
SIDE_ALIASES = {"go": "Go", "gort-uring": "gort-uring", "uring": "gort-uring", "gort-epoll": "gort-epoll",
                "epoll": "gort-epoll", "gort": None}
# The order POST /order carries: 8 items, qty i+1 at 1000 + 137·i cents, so the total is known.
ORDER = {"id": 4711, "customer": "ACME Corporation, Receiving Dock 7",
         "items": [{"sku": f"SKU-{1000 + i}", "qty": i + 1, "price_cents": 1000 + 137 * i} for i in range(8)]}
ORDER_BODY = json.dumps(ORDER, separators=(",", ":"))
ORDER_TOTAL = sum(it["qty"] * it["price_cents"] for it in ORDER["items"])
# path -> (method, body or None, what the answer must be)
ENDPOINTS = {
    "/": ("GET", None, lambda b: b == b"Hello, World!"),
    "/json": ("GET", None, lambda b: json.loads(b) == {"message": "Hello, World!"}),
    "/order": ("POST", ORDER_BODY,
               lambda b: json.loads(b) == {"id": 4711, "items": 8, "total_cents": ORDER_TOTAL}),
}
PATHS = tuple(ENDPOINTS)
CONNS = (16, 64, 256)
RATIOS = (("gort-uring", "Go"), ("gort-epoll", "Go"))

_UNITS = {"us": 1.0, "ms": 1e3, "s": 1e6}


def parse_wrk(text: str) -> dict:
    """Requests/s and the 50 % / 99 % latencies (µs) of wrk --latency's report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    lat = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+(?:us|ms|s))\s*$", text, re.M))
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors:.*", text)
    if rps is None or "50" not in lat or "99" not in lat:
        raise net_compare.MeasureError(f"unreadable wrk output:\n{text[-800:]}")
    if errors is not None:
        raise net_compare.MeasureError(f"wrk saw errors: {errors.group(0)}")

    def us(v: str) -> float:
        m = re.match(r"([\d.]+)(us|ms|s)", v)
        return float(m.group(1)) * _UNITS[m.group(2)]

    return {"rps": float(rps.group(1)), "p50_us": us(lat["50"]), "p99_us": us(lat["99"])}


def wrk_script(build_dir: Path, path: str) -> list[str]:
    """wrk's -s option for a row that is not a plain GET: a Lua script setting method and body."""
    method, body, _ = ENDPOINTS[path]
    if method == "GET":
        return []
    script = build_dir / "bench" / f"wrk{path.replace('/', '_')}.lua"
    script.write_text(f'wrk.method = "{method}"\nwrk.body = [[{body}]]\n'
                      'wrk.headers["Content-Type"] = "application/json"\n')
    return ["-s", str(script)]


def check_answer(addr: str, path: str) -> None:
    """Sends the row's request once; MeasureError unless the server answers it right."""
    method, body, ok = ENDPOINTS[path]
    req = urllib.request.Request(f"http://{addr}{path}", method=method,
                                 data=body.encode() if body is not None else None,
                                 headers={"Content-Type": "application/json"} if body is not None else {})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            answer = resp.read()
    except OSError as e:
        raise net_compare.MeasureError(f"{method} {path}: {e}") from e
    if not ok(answer):
        raise net_compare.MeasureError(f"{method} {path}: wrong answer {answer[:200]!r}")


def measure(binary: Path, env: dict, path: str, conns: int, duration: float, script: list[str]) -> dict:
    server = net_compare.Server(binary, env, timeout=30)
    try:
        url = f"http://{server.addr}{path}"
        check_answer(server.addr, path)
        # A short warm-up, uncounted.
        subprocess.run(["taskset", "-c", net_compare.CLIENT_CPU, "wrk", "-t1", f"-c{conns}", "-d1s", *script, url],
                       capture_output=True, timeout=60, check=False)
        cpu0 = net_compare.proc_cpu_seconds(server.pid)
        t0 = time.monotonic()
        p = subprocess.run(["taskset", "-c", net_compare.CLIENT_CPU, "wrk", "-t1", f"-c{conns}",
                            f"-d{duration:g}s", "--latency", *script, url],
                           capture_output=True, text=True, timeout=duration + 60, check=False)
        elapsed = time.monotonic() - t0
        cpu1 = net_compare.proc_cpu_seconds(server.pid)
        if p.returncode != 0:
            raise net_compare.MeasureError(f"wrk exited {p.returncode}: {p.stderr[-500:]}")
        r = parse_wrk(p.stdout)
        r["server_cpu"] = (cpu1 - cpu0) / elapsed
        r["server_us_per_req"] = (cpu1 - cpu0) * 1e6 / (r["rps"] * elapsed) if r["rps"] > 0 else None
        return r
    finally:
        server.stop()


def fmt(v, unit=""):
    if v is None:
        return "—"
    if v >= 100:
        return f"{v:,.0f}{unit}"
    return f"{v:.1f}{unit}"


def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", type=Path, default=Path("build"))
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--sides", default="go,gort")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--markdown-out", type=Path)
    ap.add_argument("--json-out", type=Path)
    ap.add_argument("--paths", default=",".join(PATHS), help="rows to run, by path (default: all)")
    args = ap.parse_args(argv)
    paths = tuple(p.strip() for p in args.paths.split(","))
    for p in paths:
        if p not in ENDPOINTS:
            print(f"http_compare: unknown path {p!r} (known: {', '.join(PATHS)})", file=sys.stderr)
            return 2
    if args.quick:
        args.reps, args.duration = 1, 2.0
    conns_list = (64,) if args.quick else CONNS
    if shutil.which("wrk") is None:
        print("http_compare: wrk not found (Debian package wrk; scripts/install-deps.sh installs it)",
              file=sys.stderr)
        return 2
    sides = []
    for s in args.sides.split(","):
        key = SIDE_ALIASES.get(s.strip().lower(), "?")
        if key == "?":
            print(f"http_compare: unknown side {s!r}", file=sys.stderr)
            return 2
        for name in ([key] if key else ["gort-uring", "gort-epoll"]):
            if name not in sides:
                sides.append(name)
    binaries = {}
    for side in sides:
        if side == "Go":
            go = shutil.which("go")
            if go is None:
                net_compare.log("skipping Go: `go` not found")
                continue
            binaries[side] = net_compare.build_go(args.build_dir, go, GO_DIR, SIDES["Go"][0])
        else:
            b = (args.build_dir / "bench" / SIDES[side][0]).resolve()
            if not b.exists():
                net_compare.log(f"skipping {side}: {b} not found (ninja -C {args.build_dir} gort_http_hello)")
                continue
            binaries[side] = b
    results: dict[tuple, dict[str, list[dict]]] = {}
    failed = False
    scripts = {path: wrk_script(args.build_dir, path) for path in paths}
    for rep in range(args.reps):
        for path in paths:
            for conns in conns_list:
                for side in sides:
                    if side not in binaries:
                        continue
                    net_compare.wait_quiet(net_compare.QUIET_LIMIT, 30)
                    try:
                        r = measure(binaries[side], SIDES[side][1], path, conns, args.duration, scripts[path])
                    except net_compare.MeasureError as e:
                        net_compare.log(f"error: {side} {path} ×{conns}: {e}")
                        failed = True
                        continue
                    net_compare.log(f"rep {rep + 1} {side:10} {path:6} ×{conns:<4} {r['rps']:>10,.0f} req/s "
                                    f"p50 {r['p50_us']:.0f} µs p99 {r['p99_us']:.0f} µs "
                                    f"server {r['server_cpu']:.2f} CPU")
                    results.setdefault((path, conns), {}).setdefault(side, []).append(r)

    def med(path, conns, side, key):
        xs = [r[key] for r in results.get((path, conns), {}).get(side, []) if r.get(key) is not None]
        return statistics.median(xs) if xs else None

    meta = net_compare.machine_info() if hasattr(net_compare, "machine_info") else {}
    header = (f"**Date:** {datetime.datetime.now(datetime.timezone.utc).isoformat(timespec='seconds')} · "
              f"**Command:** `python3 bench/http_compare.py {' '.join(argv if argv is not None else sys.argv[1:])}` · "
              f"reps {args.reps} × {args.duration:g} s, medians; server on CPU {net_compare.SERVER_CPU} with one P, "
              f"wrk -t1 on CPU {net_compare.CLIENT_CPU}")
    shown = [s for s in sides if s in binaries]
    cols = " | ".join(f"{s} req/s | {s} p50 / p99 µs | {s} µs CPU/req" for s in shown)
    rat = " | ".join(f"{a}/{b} req/s | {a}/{b} CPU/req" for a, b in RATIOS if a in shown and b in shown)
    lines = [header, "", f"| endpoint × conns | {cols} | {rat} |",
             "|---|" + "---:|" * (3 * len(shown) + 2 * len([1 for a, b in RATIOS if a in shown and b in shown]))]
    for path in paths:
        for conns in conns_list:
            cells = []
            for s in shown:
                cells += [fmt(med(path, conns, s, "rps")),
                          f"{fmt(med(path, conns, s, 'p50_us'))} / {fmt(med(path, conns, s, 'p99_us'))}",
                          fmt(med(path, conns, s, "server_us_per_req"))]
            for a, b in RATIOS:
                if a in shown and b in shown:
                    cells += [ratio(med(path, conns, a, "rps"), med(path, conns, b, "rps")),
                              ratio(med(path, conns, a, "server_us_per_req"), med(path, conns, b, "server_us_per_req"))]
            lines.append(f"| `{ENDPOINTS[path][0]} {path}` × {conns} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    if args.markdown_out:
        args.markdown_out.write_text(text)
    if args.json_out:
        args.json_out.write_text(json.dumps({"meta": meta, "results": {f"{p} {c}": v for (p, c), v in results.items()}},
                                            indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
