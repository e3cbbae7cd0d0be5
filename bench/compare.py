#!/usr/bin/env python3
"""Run gort's scheduler benchmarks next to their peers and print one Markdown table.

Sides (each optional; a missing binary is reported once and shown as "—"):
  gort         <build-dir>/bench/gort_bench        Google Benchmark JSON, user counter ns_per_op
  Go           bench/go (built into <build-dir>/bench/gort-go-bench), JSON lines
  Boost.Fiber  <build-dir>/bench/peer_boost_fiber  Google Benchmark JSON, user counter ns_per_op
  Boehm GC     <build-dir>/bench/peer_boehm_gc     Google Benchmark JSON, user counter ns_per_op
               (allocation and GC workloads only; its column and ratio come last)

Workload keys are a contract shared by all sides: the Google Benchmark run_name with the
leading "BM_" and trailing /real_time, /manual_time, /iterations:N (and other Google
Benchmark bookkeeping) segments stripped, e.g. BM_gosched_pingpong/procs:2/real_time ->
gosched_pingpong/procs:2. Values are medians of ns_per_op over --reps repetitions.

Usage:
  python3 bench/compare.py --build-dir build [--reps 5] [--filter REGEX] [--procs 1,4]
                           [--json-out bench/results/x.json] [--markdown-out FILE]

--procs is passed to Go as -procs and to the C++ binaries as GORT_BENCH_PROCS=LIST.
Exit status is non-zero if any side that was present failed (after printing what it has).
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
GO_DIR = BENCH_DIR / "go"
REPO_DIR = BENCH_DIR.parent

SIDES = ("gort", "Go", "Boost.Fiber", "Boehm GC")
SIDE_ALIASES = {"gort": "gort", "go": "Go", "boost": "Boost.Fiber", "boost.fiber": "Boost.Fiber",
                "boehm": "Boehm GC", "boehm-gc": "Boehm GC", "bdw-gc": "Boehm GC"}

# Google Benchmark binary of each C++ side, in <build-dir>/bench.
GBENCH_BINARIES = {"gort": "gort_bench", "Boost.Fiber": "peer_boost_fiber", "Boehm GC": "peer_boehm_gc"}

# Google Benchmark appends these to a benchmark's name; they are not part of the key.
_GB_SUFFIX = re.compile(
    r"(/(real_time|manual_time|process_time|iterations:\d+|repeats:\d+|"
    r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?))+$"
)


# What Google Benchmark prints on stderr (and nothing on stdout) when --benchmark_filter
# selects none of its benchmarks.
_GB_NO_MATCH = "Failed to match any benchmarks"


class SideError(Exception):
    """A side ran but failed; the message names the side and carries its stderr tail."""


class PartialResult(SideError):
    """A side failed part-way; .results holds what did parse."""

    def __init__(self, results: dict, msg: str):
        super().__init__(msg)
        self.results = results


# --------------------------------------------------------------------------- helpers


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def workload_key(run_name: str) -> str:
    key = run_name[3:] if run_name.startswith("BM_") else run_name
    return _GB_SUFFIX.sub("", key)


def gb_filter(user_filter: str) -> str:
    """Convert a filter on workload keys into one on Google Benchmark names.

    Unanchored patterns work unchanged (Google Benchmark searches the name). A '^' at the
    start of a branch becomes '^BM_'; a '$' at the end of a branch also admits the
    bookkeeping suffixes. The result may select a superset; compare.py re-applies the
    user's filter to the parsed keys, so that stays exact.
    """
    suffix = r"(/real_time|/manual_time|/process_time|/iterations:[0-9]+)*$"
    out = []
    i, n = 0, len(user_filter)
    while i < n:
        ch = user_filter[i]
        if ch == "\\" and i + 1 < n:
            out.append(user_filter[i : i + 2])
            i += 2
            continue
        prev = user_filter[i - 1] if i > 0 else ""
        nxt = user_filter[i + 1] if i + 1 < n else ""
        if ch == "^" and (i == 0 or prev in "(|"):
            out.append("^BM_")
        elif ch == "$" and (i == n - 1 or nxt in ")|"):
            out.append(suffix)
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def median(xs: list[float]) -> float:
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return math.nan
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def fmt_ns(v: float | None) -> str:
    """3 significant digits, in ns, µs, ms or s."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if v == 0:
        return "0 ns"
    v = float(f"{v:.3g}")  # round first so 999.7 ns becomes 1.00 µs, not 1000 ns
    for unit, scale in (("ns", 1.0), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)):
        if abs(v) < scale * 1000 or unit == "s":
            x = v / scale
            digits = max(0, 2 - math.floor(math.log10(abs(x))))
            return f"{x:.{digits}f} {unit}"
    raise AssertionError("unreachable")


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or not b:
        return "—"
    return f"{a / b:.2f}"


def natural_key(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def run_side(side: str, argv: list[str], env: dict | None = None, cwd: Path | None = None,
             timeout: float | None = None, echo: bool = True) -> tuple[str, str]:
    """Run argv; stream its stderr (prefixed) to ours.

    Returns (stdout, stderr tail text). Raises SideError on failure to start, timeout or a
    non-zero exit, naming the side and carrying the stderr tail."""
    log(f"[{side}] $ {shlex.join(argv)}")
    try:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=cwd, env=env, text=True, errors="replace")
    except OSError as e:
        raise SideError(f"{side}: cannot start {argv[0]}: {e}") from e
    tail: collections.deque[str] = collections.deque(maxlen=25)

    def pump():
        for line in proc.stderr:
            tail.append(line.rstrip("\n"))
            if echo:
                print(f"[{side}] {line}", end="", file=sys.stderr, flush=True)

    t = threading.Thread(target=pump, daemon=True)
    t.start()
    try:
        out = proc.stdout.read()
        rc = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        t.join(5)
        raise SideError(f"{side}: timed out after {timeout:g}s\n" + tail_text(tail))
    t.join(5)
    if rc != 0:
        what = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
        raise SideError(f"{side}: {shlex.join(argv)} failed ({what})\n" + tail_text(tail))
    return out, tail_text(tail)


def with_tail(e: SideError, tail: str) -> SideError:
    """The same error with the side's stderr tail appended."""
    msg = f"{e}\n{tail}"
    if isinstance(e, PartialResult):
        return PartialResult(e.results, msg)
    return SideError(msg)


def tail_text(tail) -> str:
    if not tail:
        return "  (stderr was empty)"
    return "  stderr tail:\n" + "\n".join("    " + line for line in tail)


# --------------------------------------------------------------------------- sides


def parse_gbench(side: str, text: str) -> dict[str, dict]:
    """Google Benchmark JSON -> {key: {"ns_per_op": median, "samples": [...]|None}}."""
    # The report is the first JSON object with a "benchmarks" list that starts a line;
    # anything the runtime printed on stdout before it is skipped.
    doc, err = None, "no JSON object in output"
    for m in re.finditer(r"^[ \t]*\{", text, re.M):
        try:
            obj, _ = json.JSONDecoder().raw_decode(text[m.end() - 1:])
        except json.JSONDecodeError as e:
            err = f"unparsable Google Benchmark JSON ({e})"
            continue
        if isinstance(obj, dict) and isinstance(obj.get("benchmarks"), list):
            doc = obj
            break
        err = "Google Benchmark JSON has no 'benchmarks' list"
    if doc is None:
        raise SideError(f"{side}: {err}; output tail:\n    {text[-400:]!r}")
    benches = doc["benchmarks"]

    medians: dict[str, float] = {}
    iterations: dict[str, list[float]] = collections.defaultdict(list)
    errors = []
    order: list[str] = []
    for b in benches:
        name = b.get("name", "")
        run_name = b.get("run_name") or re.sub(r"_(mean|median|stddev|cv)$", "", name)
        key = workload_key(run_name)
        if b.get("error_occurred"):
            errors.append(f"{key}: {b.get('error_message', 'error')}")
            continue
        if key not in order:
            order.append(key)
        if "ns_per_op" not in b:
            if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
                continue
            errors.append(f"{key}: no ns_per_op counter in {name!r}")
            continue
        val = float(b["ns_per_op"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = val
        else:
            iterations[key].append(val)

    res = {}
    for key in order:
        if key in medians:
            res[key] = {"ns_per_op": medians[key], "samples": iterations.get(key) or None}
        elif iterations.get(key):  # e.g. --reps 1: Google Benchmark emits no aggregates
            res[key] = {"ns_per_op": median(iterations[key]), "samples": iterations[key]}
    if errors:
        # Keep what parsed; the caller reports the error and fails the run at the end.
        raise PartialResult(res, f"{side}: benchmark errors:\n" +
                            "\n".join("    " + e for e in errors))
    return res


def run_gbench(side: str, binary: Path, args) -> dict[str, dict]:
    env = dict(os.environ)
    if args.procs:
        env["GORT_BENCH_PROCS"] = args.procs
    with tempfile.TemporaryDirectory(prefix="gort-compare-") as tmp:
        out_file = Path(tmp) / "out.json"
        argv = [str(binary), "--benchmark_format=json",
                f"--benchmark_repetitions={args.reps}",
                "--benchmark_report_aggregates_only=true",
                f"--benchmark_out={out_file}", "--benchmark_out_format=json"]
        if args.filter:
            argv.append(f"--benchmark_filter={gb_filter(args.filter)}")
        stdout, tail = run_side(side, argv, env=env, timeout=args.timeout, echo=not args.quiet)
        # Prefer the --benchmark_out file: immune to anything the runtime prints on stdout.
        text = out_file.read_text(errors="replace") if out_file.exists() else ""
        if not text.strip():
            text = stdout
    if not text.strip() and _GB_NO_MATCH in tail:
        # The binary has none of the selected workloads (e.g. an older build): its rows show "—".
        log(f"note: {side}: no benchmark in {binary} matches the filter")
        return {}
    try:
        return parse_gbench(side, text)
    except SideError as e:
        raise with_tail(e, tail) from None


def run_go(args, go: str) -> dict[str, dict]:
    side = "Go"
    env = dict(os.environ, GOPROXY="off", GO111MODULE="on")  # stdlib only: never fetch
    bench_dir = args.build_dir / "bench"
    tmp = None
    if args.build_dir.is_dir():
        bench_dir.mkdir(parents=True, exist_ok=True)
        binary = bench_dir / "gort-go-bench"
    else:
        tmp = tempfile.TemporaryDirectory(prefix="gort-go-bench-")
        binary = Path(tmp.name) / "gort-go-bench"
        log(f"note: build dir {args.build_dir} does not exist; building the Go side in {tmp.name}")
    try:
        run_side(side, [go, "build", "-o", str(binary.resolve()), "."], env=env, cwd=GO_DIR,
                 timeout=args.timeout)
        argv = [str(binary.resolve()), "-reps", str(args.reps)]
        if args.filter:
            argv += ["-filter", args.filter]  # same key space; Go's RE2 ~ Python re for filters
        if args.procs:
            argv += ["-procs", args.procs]
        stdout, tail = run_side(side, argv, timeout=args.timeout, echo=not args.quiet)
    finally:
        if tmp:
            tmp.cleanup()
    res = {}
    errors = []
    for n, line in enumerate(stdout.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
            if "error" in obj:  # the workload detected a wrong result (like SkipWithError)
                errors.append(f"{obj['workload']}: {obj['error']}")
                continue
            res[obj["workload"]] = {"ns_per_op": float(obj["ns_per_op"]),
                                    "samples": obj.get("samples")}
        except (ValueError, KeyError, TypeError) as e:
            raise PartialResult(res, f"{side}: unparsable output line {n}: {line[:200]!r} ({e})\n"
                                + tail) from None
    if errors:
        raise PartialResult(res, f"{side}: benchmark errors:\n" +
                            "\n".join("    " + e for e in errors))
    return res


# --------------------------------------------------------------------------- metadata


def cmd_output(argv: list[str], cwd=None) -> str | None:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def machine_info(go: str | None) -> dict:
    model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        nproc = os.cpu_count()
    go_version = cmd_output([go, "version"]) if go else None
    return {
        "cpu_model": model or platform.processor() or "unknown",
        "nproc": nproc,
        "kernel": platform.release(),
        "loadavg_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "go_version": (go_version or "unavailable").removeprefix("go version "),
        "git_commit": cmd_output(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR),
        "command": shlex.join([os.path.basename(sys.executable) or "python3"] + sys.argv),
    }


def header_line(meta: dict) -> str:
    return (f"**Machine:** {meta['cpu_model']}, {meta['nproc']} CPUs, Linux {meta['kernel']} · "
            f"**Date:** {meta['date']} · **Go:** {meta['go_version']} · "
            f"**Command:** `{meta['command']}`")


# --------------------------------------------------------------------------- table


def ordered_keys(results: dict[str, dict]) -> list[str]:
    """Group by workload base name (first appearance across sides), params in natural order."""
    base_rank: dict[str, int] = {}
    keys: list[str] = []
    for side in SIDES:
        for key in results.get(side, {}):
            base = key.split("/", 1)[0]
            base_rank.setdefault(base, len(base_rank))
            if key not in keys:
                keys.append(key)
    return sorted(keys, key=lambda k: (base_rank[k.split("/", 1)[0]], natural_key(k)))


def markdown_table(results: dict[str, dict]) -> str:
    def get(side, key):
        r = results.get(side, {}).get(key)
        return r["ns_per_op"] if r else None

    rows = ["| workload | gort | Go | Boost.Fiber | gort/Go | gort/Boost.Fiber | Boehm GC | gort/Boehm GC |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for key in ordered_keys(results):
        g, go, bf, bgc = get("gort", key), get("Go", key), get("Boost.Fiber", key), get("Boehm GC", key)
        rows.append(f"| `{key}` | {fmt_ns(g)} | {fmt_ns(go)} | {fmt_ns(bf)} | "
                    f"{fmt_ratio(g, go)} | {fmt_ratio(g, bf)} | {fmt_ns(bgc)} | {fmt_ratio(g, bgc)} |")
    if len(rows) == 2:
        rows.append("| (no results) | — | — | — | — | — | — | — |")
    return "\n".join(rows)


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Run gort's scheduler benchmarks next to Go, Boost.Fiber and Boehm GC; print one "
                    "Markdown table of median ns_per_op.")
    p.add_argument("--build-dir", type=Path, default=Path("build"),
                   help="CMake build directory holding bench/gort_bench etc. (default: build)")
    p.add_argument("--reps", type=int, default=5, help="repetitions per workload; medians (default 5)")
    p.add_argument("--filter", help="regular expression on workload keys (e.g. 'park_ready|spawn')")
    p.add_argument("--procs", help="comma list of P counts for the procs-parameterised workloads "
                                   "(Go: -procs; C++: GORT_BENCH_PROCS)")
    p.add_argument("--sides", default="gort,go,boost,boehm",
                   help="comma list of sides to run: gort,go,boost,boehm (default: all)")
    p.add_argument("--json-out", type=Path, help="write raw medians and metadata as JSON here")
    p.add_argument("--markdown-out", type=Path, help="write the header line and table here")
    p.add_argument("--timeout", type=float, default=None, help="per-process timeout in seconds")
    p.add_argument("--quiet", action="store_true", help="do not echo the sides' progress (stderr)")
    args = p.parse_args(argv)
    if args.reps < 1:
        p.error("--reps must be >= 1")
    if args.procs is not None:
        parts = [s.strip() for s in args.procs.split(",") if s.strip()]
        if not parts or not all(s.isdigit() and int(s) > 0 for s in parts):
            p.error(f"--procs {args.procs!r}: want a comma list of positive integers, e.g. 1,4")
        args.procs = ",".join(parts)
    if args.filter:
        try:
            args.filter_re = re.compile(args.filter)
        except re.error as e:
            p.error(f"--filter: {e}")
    else:
        args.filter_re = None
    sides = []
    for s in args.sides.split(","):
        s = s.strip().lower()
        if s not in SIDE_ALIASES:
            p.error(f"--sides: unknown side {s!r} (want gort, go, boost, boehm)")
        sides.append(SIDE_ALIASES[s])
    args.sides = sides
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    go = shutil.which("go")
    meta = machine_info(go)
    meta.update({"reps": args.reps, "filter": args.filter, "procs": args.procs,
                 "build_dir": str(args.build_dir)})

    results: dict[str, dict] = {}
    status: dict[str, dict] = {}
    failed = False

    for side in SIDES:
        if side not in args.sides:
            status[side] = {"status": "not selected"}
            continue
        try:
            if side == "Go":
                if go is None:
                    log("skipping Go: `go` not found on PATH")
                    status[side] = {"status": "missing", "path": "go"}
                    continue
                if not (GO_DIR / "go.mod").exists():
                    log(f"skipping Go: {GO_DIR / 'go.mod'} not found")
                    status[side] = {"status": "missing", "path": str(GO_DIR)}
                    continue
                res = run_go(args, go)
                path = str(GO_DIR)
            else:
                binary = args.build_dir / "bench" / GBENCH_BINARIES[side]
                path = str(binary)
                if not binary.exists():
                    log(f"skipping {side}: {binary} not found")
                    status[side] = {"status": "missing", "path": path}
                    continue
                res = run_gbench(side, binary, args)
            status[side] = {"status": "ok", "path": path}
        except SideError as e:
            failed = True
            log(f"error: {e}")
            res = getattr(e, "results", {})
            status[side] = {"status": "failed", "error": str(e)}
        if args.filter_re:
            res = {k: v for k, v in res.items() if args.filter_re.search(k)}
        results[side] = res

    header = header_line(meta)
    table = markdown_table(results)
    legend = ("Median ns per op over the reps; ratios are gort's time over the peer's "
              "(below 1.00 = gort faster). — = side or workload not available.")
    text = f"{header}\n\n{table}\n\n{legend}\n"
    print(text, end="")

    if args.markdown_out:
        args.markdown_out.parent.mkdir(parents=True, exist_ok=True)
        args.markdown_out.write_text(text)
        log(f"wrote {args.markdown_out}")
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        doc = {
            "metadata": meta,
            "sides": status,
            "workloads": ordered_keys(results),
            "results": results,  # side -> key -> {"ns_per_op": median, "samples": [...]|null}
        }
        args.json_out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        log(f"wrote {args.json_out}")

    if failed:
        bad = ", ".join(s for s in SIDES if status.get(s, {}).get("status") == "failed")
        log(f"error: side(s) failed: {bad} (see above); the table is incomplete")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
