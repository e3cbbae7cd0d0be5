#!/usr/bin/env python3
"""Run gort's scheduler benchmarks next to their peers and print Markdown tables.

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

The allocation and GC workloads (GC_KEYS) run one process per workload and side (gort, Go,
Boehm GC), so that the process's peak RSS (ru_maxrss from wait4) belongs to that workload
alone; a second table shows, per side, their time, that peak RSS, and the GC cycles and GC
pause per timed run (gort, Boehm: counters gc_cycles and gc_pause_ns, medians over the reps
of the per-iteration means; Go: the "gc" object of its last rep). Every other workload runs
as before, all of a side's in one process.

Usage:
  python3 bench/compare.py --build-dir build [--reps 5] [--filter REGEX] [--procs 1,4] [--net full|quick]
                           [--json-out bench/results/x.json] [--markdown-out FILE]

--procs is passed to Go as -procs and to the C++ binaries as GORT_BENCH_PROCS=LIST.
--net also runs bench/net_compare.py (TCP echo, streaming and idle connections; sides Go 1.19
net, Boost.Asio, gort on io_uring and on epoll; method in bench/net/README.md) with the same
--build-dir and --reps ("quick": one short rep of two rows) and appends its tables.
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
import resource
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

# The allocation and GC workloads: each runs in a process of its own per side and gets a
# row in the second table (time, peak RSS, GC cycles and pause per timed run).
GC_KEYS = ("alloc_24", "alloc_64_noscan", "alloc_1k", "alloc_64k", "binary_trees", "gctrace_retained_1k",
           "gc_pause_live64m", "gc_mark_throughput", "gc_memlimit_100mbs")
GC_SIDES = ("gort", "Go", "Boehm GC")

# Environment per GC workload and side, on top of ours. Go: GOMAXPROCS for the whole
# process, so that GCCPUFraction (measured from the start over GOMAXPROCS × elapsed) turns
# into the fraction over the run exactly (bench/go/gcpause.go, gcCPUFractionBetween); Boehm
# GC: GC_MARKERS, its number of marker threads (fixed at GC_INIT), = the workload's P. gort
# sets GOMAXPROCS itself inside each gort::run.
GC_ENV = {
    "gc_pause_live64m": {"Go": {"GOMAXPROCS": "2"}, "Boehm GC": {"GC_MARKERS": "2"}},
    "gc_mark_throughput": {"Go": {"GOMAXPROCS": "1"}, "Boehm GC": {"GC_MARKERS": "1"}},
}

# The counters of the latency, mark and memory-limit workloads beyond gc_cycles and
# gc_pause_ns (Google Benchmark counters of gort and Boehm GC; the "gc" object of Go's
# line), and the third set of tables that shows them: per workload, (label, how to get the
# figure from a row, formatter) — one table per workload, the sides as columns.
GC_EXTRA_COUNTERS = ("gc_pauses", "pause_p50_ns", "pause_p99_ns", "pause_max_ns", "gc_cpu_fraction",
                     "marked_bytes", "mark_bytes_per_s", "peak_heap_bytes")

# Google Benchmark appends these to a benchmark's name; they are not part of the key.
_GB_SUFFIX = re.compile(
    r"(/(real_time|manual_time|process_time|iterations:\d+|repeats:\d+|"
    r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?))+$"
)


# _GB_SUFFIX for Google Benchmark's --benchmark_filter (POSIX extended regex, no \d).
_GB_SUFFIX_ERE = (r"(/(real_time|manual_time|process_time|iterations:[0-9]+|repeats:[0-9]+|"
                  r"min_time:[0-9.]+s?|min_warmup_time:[0-9.]+s?))*$")


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
    suffix = _GB_SUFFIX_ERE
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


def _escape(key: str) -> str:
    """Escape the regex metacharacters of a key; valid for Python re, RE2 and POSIX ERE."""
    return "".join("\\" + c if c in r"\.[]{}()*+?^$|" else c for c in key)


def exact_filter(keys: list[str]) -> str:
    """A filter on workload keys (Go's -filter) that selects exactly `keys` (non-empty)."""
    return "^(" + "|".join(_escape(k) for k in keys) + ")$"


def exact_gb_filter(keys: list[str]) -> str:
    """A --benchmark_filter that selects exactly the benchmarks of `keys` (non-empty)."""
    return "^BM_(" + "|".join(_escape(k) for k in keys) + ")" + _GB_SUFFIX_ERE


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


def fmt_mib(kib: int | None) -> str:
    """A ru_maxrss figure (KiB on Linux) in MiB."""
    if kib is None:
        return "—"
    return f"{kib / 1024:.1f} MiB"


def fmt_count(v: float | None) -> str:
    """GC cycles per run: whole numbers as such, fractions (an average) to 3 digits."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "—"
    if v == int(v) or v >= 100:
        return f"{v:.0f}"
    return f"{v:.3g}"


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
    out, tail, _, _ = _run_child(side, argv, env=env, cwd=cwd, timeout=timeout, echo=echo)
    return out, tail


def _vm_hwm_kib(proc_dir: int) -> int | None:
    """VmHWM (peak RSS of the current address space, KiB) from the status file of the
    /proc/<pid> directory open as proc_dir; None once the process has exited."""
    try:
        fd = os.open("status", os.O_RDONLY, dir_fd=proc_dir)
        try:
            text = os.read(fd, 1 << 16).decode(errors="replace")
        finally:
            os.close(fd)
    except OSError:
        return None
    m = re.search(r"^VmHWM:\s*(\d+)\s*kB", text, re.M)
    return int(m.group(1)) if m else None


def run_side_peak_rss(side: str, argv: list[str], env: dict | None = None, cwd: Path | None = None,
                      timeout: float | None = None, echo: bool = True):
    """run_side that also measures the child's peak RSS.

    Returns (stdout, stderr tail text, peak RSS of the child in KiB or None if unknown).
    Raises as run_side does.

    ru_maxrss from wait4 alone is not enough: Linux carries the parent's peak RSS over the
    exec into the child's (about 15 MiB of Python), so a child that stays below that shows
    ours. A figure above our own ru_maxrss (read after the child is reaped, so at least what
    the child inherited) is the child's and is taken as is; otherwise the result is the
    child's VmHWM, sampled every 10 ms from /proc (exact unless the peak came in the last
    10 ms of the process)."""
    out, tail, ru, hwm = _run_child(side, argv, env=env, cwd=cwd, timeout=timeout, echo=echo,
                                    sample_hwm=True)
    floor_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if ru.ru_maxrss > floor_kib:
        return out, tail, ru.ru_maxrss
    return out, tail, hwm


def _run_child(side: str, argv: list[str], env: dict | None = None, cwd: Path | None = None,
               timeout: float | None = None, echo: bool = True, sample_hwm: bool = False):
    """Run argv, streaming its stderr (prefixed) to ours; reap it with wait4.

    Returns (stdout, stderr tail text, struct_rusage of the child, highest VmHWM seen in KiB
    or None; sampled only if sample_hwm). Raises as run_side does."""
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
    timed_out = threading.Event()

    def expire():
        timed_out.set()
        proc.kill()

    timer = threading.Timer(timeout, expire) if timeout is not None else None
    if timer:
        timer.daemon = True
        timer.start()
    hwm: list[int] = []
    reaped = threading.Event()
    sampler = None
    if sample_hwm:
        try:
            # The directory fd pins this process: once it is reaped, reads fail instead of
            # reaching a process that reuses the pid.
            proc_dir = os.open(f"/proc/{proc.pid}", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            proc_dir = None

        def sample():
            while True:
                v = _vm_hwm_kib(proc_dir)
                if v is not None:
                    hwm.append(max(v, hwm.pop() if hwm else 0))
                if reaped.wait(0.01):
                    break
            os.close(proc_dir)

        if proc_dir is not None:
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
    try:
        out = proc.stdout.read()
        # Reap the child ourselves: wait4 gives its own rusage (Popen.wait would not).
        _, wstatus, ru = os.wait4(proc.pid, 0)
        rc = proc.returncode = os.waitstatus_to_exitcode(wstatus)
    finally:
        reaped.set()
        if timer:
            timer.cancel()
    if sampler:
        sampler.join(5)
    t.join(5)
    if timed_out.is_set():
        raise SideError(f"{side}: timed out after {timeout:g}s\n" + tail_text(tail))
    if rc != 0:
        what = f"killed by signal {-rc}" if rc < 0 else f"exit status {rc}"
        raise SideError(f"{side}: {shlex.join(argv)} failed ({what})\n" + tail_text(tail))
    return out, tail_text(tail), ru, (hwm[0] if hwm else None)


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


# Counters of the GC workloads (gort, Boehm GC), per iteration; medians like ns_per_op.
GB_GC_COUNTERS = ("gc_cycles", "gc_pause_ns") + GC_EXTRA_COUNTERS


def parse_gbench(side: str, text: str) -> dict[str, dict]:
    """Google Benchmark JSON -> {key: {"ns_per_op": median, "samples": [...]|None}}.

    A key whose benchmark reports the counters in GB_GC_COUNTERS also gets their medians
    under "gc": {"gc_cycles": …, "gc_pause_ns": …} (only those present)."""
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
    counter_medians: dict[str, dict[str, float]] = collections.defaultdict(dict)
    counter_iterations: dict[str, dict[str, list[float]]] = collections.defaultdict(
        lambda: collections.defaultdict(list))
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
        counters = {c: float(b[c]) for c in GB_GC_COUNTERS if c in b}
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[key] = val
                counter_medians[key].update(counters)
        else:
            iterations[key].append(val)
            for c, v in counters.items():
                counter_iterations[key][c].append(v)

    res = {}
    for key in order:
        if key in medians:
            res[key] = {"ns_per_op": medians[key], "samples": iterations.get(key) or None}
        elif iterations.get(key):  # e.g. --reps 1: Google Benchmark emits no aggregates
            res[key] = {"ns_per_op": median(iterations[key]), "samples": iterations[key]}
        else:
            continue
        gc = counter_medians.get(key) or {c: median(v) for c, v in counter_iterations[key].items()}
        if gc:
            res[key]["gc"] = gc
    if errors:
        # Keep what parsed; the caller reports the error and fails the run at the end.
        raise PartialResult(res, f"{side}: benchmark errors:\n" +
                            "\n".join("    " + e for e in errors))
    return res


def gbench_env(args) -> dict:
    """The environment of a Google Benchmark side: ours plus GORT_BENCH_PROCS for --procs."""
    env = dict(os.environ)
    if args.procs:
        env["GORT_BENCH_PROCS"] = args.procs
    return env


def gc_env(side: str, keys: list[str], env: dict | None) -> dict | None:
    """env (None: ours) plus GC_ENV's settings for side when keys is one GC workload."""
    extra = GC_ENV.get(keys[0], {}).get(side) if len(keys) == 1 else None
    if not extra:
        return env
    return dict(os.environ if env is None else env, **extra)


def list_gbench(side: str, binary: Path, args) -> list[str]:
    """The workload keys of a Google Benchmark binary that --filter selects, in its order."""
    argv = [str(binary), "--benchmark_list_tests=true"]
    if args.filter:
        argv.append(f"--benchmark_filter={gb_filter(args.filter)}")
    stdout, tail = run_side(side, argv, env=gbench_env(args), timeout=args.timeout, echo=False)
    keys: list[str] = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line.startswith("BM_"):  # the runtime may print other lines
            continue
        key = workload_key(line)
        if key not in keys and (not args.filter_re or args.filter_re.search(key)):
            keys.append(key)
    if not keys and _GB_NO_MATCH not in tail and not stdout.strip():
        raise SideError(f"{side}: --benchmark_list_tests printed nothing\n{tail}")
    return keys


def run_gbench(side: str, binary: Path, args, keys: list[str]):
    """Run the benchmarks of `keys` (non-empty) in one process of `binary`.

    Returns (parse_gbench result, the process's peak RSS in KiB)."""
    with tempfile.TemporaryDirectory(prefix="gort-compare-") as tmp:
        out_file = Path(tmp) / "out.json"
        argv = [str(binary), "--benchmark_format=json",
                f"--benchmark_repetitions={args.reps}",
                "--benchmark_report_aggregates_only=true",
                f"--benchmark_out={out_file}", "--benchmark_out_format=json",
                f"--benchmark_filter={exact_gb_filter(keys)}"]
        stdout, tail, rss = run_side_peak_rss(side, argv, env=gc_env(side, keys, gbench_env(args)),
                                              timeout=args.timeout, echo=not args.quiet)
        # Prefer the --benchmark_out file: immune to anything the runtime prints on stdout.
        text = out_file.read_text(errors="replace") if out_file.exists() else ""
        if not text.strip():
            text = stdout
    if not text.strip() and _GB_NO_MATCH in tail:
        # Listed but not run (should not happen): its rows show "—".
        log(f"note: {side}: no benchmark in {binary} matches the filter")
        return {}, rss
    try:
        return parse_gbench(side, text), rss
    except SideError as e:
        raise with_tail(e, tail) from None


def build_go(args, go: str, tmp_holder: list) -> Path:
    """Build bench/go into <build-dir>/bench/gort-go-bench (or a temporary directory, kept
    alive by appending it to tmp_holder, when the build directory does not exist)."""
    env = dict(os.environ, GOPROXY="off", GO111MODULE="on")  # stdlib only: never fetch
    bench_dir = args.build_dir / "bench"
    if args.build_dir.is_dir():
        bench_dir.mkdir(parents=True, exist_ok=True)
        binary = bench_dir / "gort-go-bench"
    else:
        tmp = tempfile.TemporaryDirectory(prefix="gort-go-bench-")
        tmp_holder.append(tmp)
        binary = Path(tmp.name) / "gort-go-bench"
        log(f"note: build dir {args.build_dir} does not exist; building the Go side in {tmp.name}")
    run_side("Go", [go, "build", "-o", str(binary.resolve()), "."], env=env, cwd=GO_DIR,
             timeout=args.timeout)
    return binary.resolve()


def list_go(binary: Path, args) -> list[str]:
    """The workload keys of the Go side that --filter selects, in its order."""
    argv = [str(binary), "-list"]
    if args.procs:
        argv += ["-procs", args.procs]
    stdout, _ = run_side("Go", argv, timeout=args.timeout, echo=False)
    keys = [k.strip() for k in stdout.splitlines() if k.strip()]
    return [k for k in keys if not args.filter_re or args.filter_re.search(k)]


def run_go(binary: Path, args, keys: list[str]):
    """Run the Go workloads of `keys` (non-empty) in one process of `binary`.

    Returns ({key: {"ns_per_op", "samples"[, "gc"]}}, the process's peak RSS in KiB); "gc" is
    the line's "gc" object (GC workloads: gc_cycles, gc_pause_ns, heap_sys_delta_bytes of
    the last rep)."""
    side = "Go"
    argv = [str(binary), "-reps", str(args.reps), "-filter", exact_filter(keys)]
    if args.procs:
        argv += ["-procs", args.procs]
    stdout, tail, rss = run_side_peak_rss(side, argv, env=gc_env(side, keys, None), timeout=args.timeout,
                                          echo=not args.quiet)
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
            if isinstance(obj.get("gc"), dict):
                res[obj["workload"]]["gc"] = obj["gc"]
        except (ValueError, KeyError, TypeError) as e:
            raise PartialResult(res, f"{side}: unparsable output line {n}: {line[:200]!r} ({e})\n"
                                + tail) from None
    if errors:
        raise PartialResult(res, f"{side}: benchmark errors:\n" +
                            "\n".join("    " + e for e in errors))
    return res, rss


def run_keys(side: str, keys: list[str], run) -> tuple[dict, dict, list[str]]:
    """Run a side's selected workloads: those outside GC_KEYS in one process (as ever), each
    of GC_KEYS in a process of its own. run(keys) -> (results, peak RSS in KiB).

    Returns (results by key in `keys` order, {GC key: row of the second table}, error
    messages). A row is {"ns_per_op", "peak_rss_kib", "gc_cycles", "gc_pause_ns"[, "extra"]}, None
    for what the side does not report; "extra" holds the GC_EXTRA_COUNTERS it reported."""
    found: dict[str, dict] = {}
    rows: dict[str, dict] = {}
    errors: list[str] = []
    others = [k for k in keys if k not in GC_KEYS]
    batches = ([others] if others else []) + [[k] for k in keys if k in GC_KEYS]
    for batch in batches:
        rss = None
        try:
            res, rss = run(batch)
        except SideError as e:
            log(f"error: {e}")
            errors.append(str(e))
            res = getattr(e, "results", {})
        found.update(res)
        if len(batch) == 1 and batch[0] in GC_KEYS and batch[0] in res:
            r = res[batch[0]]
            gc = r.get("gc") or {}
            rows[batch[0]] = {
                "ns_per_op": r["ns_per_op"],
                "peak_rss_kib": rss,
                "gc_cycles": gc.get("gc_cycles"),
                "gc_pause_ns": gc.get("gc_pause_ns"),
            }
            extra = {c: float(gc[c]) for c in GC_EXTRA_COUNTERS if gc.get(c) is not None}
            if extra:
                rows[batch[0]]["extra"] = extra
    return {k: found[k] for k in keys if k in found}, rows, errors


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


# Prefixes of the twins that run a workload with a recorder on: the execution tracer and the
# CPU profiler. Their time over the plain workload's is the recorder's cost on that side.
RECORDER_PREFIXES = ("traced_", "cpuprof_")


def markdown_recorder_table(results: dict[str, dict]) -> str:
    """Per recorder twin (traced_X, cpuprof_X) and side, its time over X's: the recorder's cost."""
    def get(side, key):
        r = results.get(side, {}).get(key)
        return r["ns_per_op"] if r else None

    rows = ["| workload | recorder | gort on/off | Go on/off |", "|---|---|---:|---:|"]
    for key in ordered_keys(results):
        prefix = next((p for p in RECORDER_PREFIXES if key.startswith(p)), None)
        if prefix is None:
            continue
        plain = key[len(prefix):]
        rows.append(f"| `{plain}` | {prefix.rstrip('_')} | "
                    f"{fmt_ratio(get('gort', key), get('gort', plain))} | "
                    f"{fmt_ratio(get('Go', key), get('Go', plain))} |")
    return "\n".join(rows) if len(rows) > 2 else ""


def markdown_gc_table(gc_rows: dict[str, dict]) -> str:
    """The second table: per GC workload and side, time, peak RSS, GC cycles and pause."""
    rows = ["| workload | side | time (ns/op) | peak RSS | GC cycles / run | GC pause / run |",
            "|---|---|---:|---:|---:|---:|"]
    for key in GC_KEYS:
        for side in GC_SIDES:
            r = gc_rows.get(side, {}).get(key)
            if r is None:
                continue
            rows.append(f"| `{key}` | {side} | {fmt_ns(r['ns_per_op'])} | {fmt_mib(r['peak_rss_kib'])} | "
                        f"{fmt_count(r['gc_cycles'])} | {fmt_ns(r['gc_pause_ns'])} |")
    if len(rows) == 2:
        return ""
    return "\n".join(rows)


def fmt_bytes(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 2**20:.1f} MiB"


def fmt_rate(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v / 2**20:.0f} MiB/s"


def fmt_fraction(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v * 100:.1f} %"


def _extra(name: str):
    return lambda r: (r.get("extra") or {}).get(name)


def _rss_bytes(r: dict):
    return None if r.get("peak_rss_kib") is None else r["peak_rss_kib"] * 1024.0


# Per workload of the third tables: (label, figure of a row, formatter).
GC_EXTRA_TABLES = {
    "gc_pause_live64m": (
        ("time / run", lambda r: r.get("ns_per_op"), fmt_ns),
        ("pause p50", _extra("pause_p50_ns"), fmt_ns),
        ("pause p99", _extra("pause_p99_ns"), fmt_ns),
        ("pause max", _extra("pause_max_ns"), fmt_ns),
        ("pauses / run", _extra("gc_pauses"), fmt_count),
        ("GC cycles / run", lambda r: r.get("gc_cycles"), fmt_count),
        ("GC pause / run", lambda r: r.get("gc_pause_ns"), fmt_ns),
        ("GC CPU fraction", _extra("gc_cpu_fraction"), fmt_fraction),
        ("peak RSS", _rss_bytes, fmt_bytes),
    ),
    "gc_mark_throughput": (
        ("time / collection", lambda r: r.get("ns_per_op"), fmt_ns),
        ("marked bytes", _extra("marked_bytes"), fmt_bytes),
        ("mark rate", _extra("mark_bytes_per_s"), fmt_rate),
        ("peak RSS", _rss_bytes, fmt_bytes),
    ),
    "gc_memlimit_100mbs": (
        ("time / run", lambda r: r.get("ns_per_op"), fmt_ns),
        ("peak HeapInuse", _extra("peak_heap_bytes"), fmt_bytes),
        ("peak RSS", _rss_bytes, fmt_bytes),
        ("GC cycles / run", lambda r: r.get("gc_cycles"), fmt_count),
        ("GC pause / run", lambda r: r.get("gc_pause_ns"), fmt_ns),
        ("GC CPU fraction", _extra("gc_cpu_fraction"), fmt_fraction),
    ),
}


def markdown_gc_extra_tables(gc_rows: dict[str, dict]) -> str:
    """The third tables: one per workload of GC_EXTRA_TABLES that some side ran, a row per
    figure, gort next to Go and Boehm GC and gort's ratio to each."""
    out = []
    for key, figures in GC_EXTRA_TABLES.items():
        side_rows = {side: gc_rows.get(side, {}).get(key) for side in GC_SIDES}
        if not any(side_rows.values()):
            continue
        rows = [f"| `{key}` | gort | Go | Boehm GC | gort/Go | gort/Boehm GC |",
                "|---|---:|---:|---:|---:|---:|"]
        for label, get, fmt in figures:
            v = {side: (get(r) if r else None) for side, r in side_rows.items()}
            rows.append(f"| {label} | {fmt(v['gort'])} | {fmt(v['Go'])} | {fmt(v['Boehm GC'])} | "
                        f"{fmt_ratio(v['gort'], v['Go'])} | {fmt_ratio(v['gort'], v['Boehm GC'])} |")
        out.append("\n".join(rows))
    return "\n\n".join(out)


# --------------------------------------------------------------------------- network


def run_net_compare(args) -> str | None:
    """Runs bench/net_compare.py with this run's build directory and reps; returns its
    Markdown (header line and tables), or None if it failed (its messages went to stderr)."""
    script = Path(__file__).resolve().parent / "net_compare.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "net.md"
        argv = [sys.executable, str(script), "--build-dir", str(args.build_dir),
                "--reps", str(args.reps), "--markdown-out", str(out)]
        if args.net == "quick":
            argv.append("--quick")
        log("running " + " ".join(argv[1:]))
        r = subprocess.run(argv, stdout=subprocess.DEVNULL)
        if r.returncode != 0 or not out.exists():
            log(f"net_compare.py failed (exit {r.returncode})")
            return None
        return out.read_text()


# --------------------------------------------------------------------------- main


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Run gort's benchmarks next to Go, Boost.Fiber and Boehm GC; print a Markdown "
                    "table of median ns_per_op and one of time, peak RSS, GC cycles and GC pause "
                    "for the allocation and GC workloads (each run in a process of its own).")
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
    p.add_argument("--net", choices=["full", "quick"],
                   help="also run the network benchmarks (bench/net_compare.py: echo, streaming and "
                        "idle connections against Go, Boost.Asio and both gort backends) and append "
                        "their table; quick: one short rep of two rows")
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
    gc_rows: dict[str, dict] = {}  # side -> GC key -> row of the second table
    status: dict[str, dict] = {}
    failed = False
    go_tmp: list = []  # keeps a temporary Go build directory alive until the end

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
                go_binary = build_go(args, go, go_tmp)
                keys = list_go(go_binary, args)
                run = lambda ks: run_go(go_binary, args, ks)  # noqa: E731
                path = str(GO_DIR)
            else:
                binary = args.build_dir / "bench" / GBENCH_BINARIES[side]
                path = str(binary)
                if not binary.exists():
                    log(f"skipping {side}: {binary} not found")
                    status[side] = {"status": "missing", "path": path}
                    continue
                keys = list_gbench(side, binary, args)
                run = lambda ks, side=side, binary=binary: run_gbench(side, binary, args, ks)  # noqa: E731
            if not keys:
                log(f"note: {side}: no workload matches the filter")
            res, gc_rows[side], errors = run_keys(side, keys, run)
            if errors:
                failed = True
                status[side] = {"status": "failed", "error": "\n".join(errors)}
            else:
                status[side] = {"status": "ok", "path": path}
        except SideError as e:
            failed = True
            log(f"error: {e}")
            res = getattr(e, "results", {})
            status[side] = {"status": "failed", "error": str(e)}
        if args.filter_re:
            res = {k: v for k, v in res.items() if args.filter_re.search(k)}
        results[side] = res
    for tmp in go_tmp:
        tmp.cleanup()

    header = header_line(meta)
    table = markdown_table(results)
    legend = ("Median ns per op over the reps; ratios are gort's time over the peer's "
              "(below 1.00 = gort faster). — = side or workload not available.")
    text = f"{header}\n\n{table}\n\n{legend}\n"
    recorder_table = markdown_recorder_table(results)
    if recorder_table:
        recorder_legend = (
            "Recorders' cost: each twin's median time with the execution tracer (traced) or the "
            "CPU profiler at 100 Hz (cpuprof) on, over the same workload's without, on the same "
            "side in the same run (1.00 = no cost). — = a side lacks one of the pair.")
        text += f"\n{recorder_table}\n\n{recorder_legend}\n"
    gc_table = markdown_gc_table(gc_rows)
    if gc_table:
        gc_legend = (
            "Allocation and GC workloads, each run in a process of its own per side. Time: the "
            "median ns per op above. Peak RSS: of that process, warm-up and all reps included "
            "(ru_maxrss from wait4, or the sampled VmHWM when below compare.py's own). GC cycles and pause per timed run: gort and Boehm GC, medians over the "
            "reps of the per-iteration means (counters gc_cycles, gc_pause_ns; Boehm's pause is "
            "GC_get_full_gc_total_time, counted in whole ms); Go, MemStats NumGC and "
            "PauseTotalNs deltas of the last rep, which is one run whenever a run takes at "
            "least 50 ms. — = not available.")
        text += f"\n{gc_table}\n\n{gc_legend}\n"
    extra_tables = markdown_gc_extra_tables(gc_rows)
    if extra_tables:
        extra_legend = (
            "Collector latency, mark speed and memory limit, one process per workload and side "
            "(medians over the reps for gort and Boehm GC; Go: its last rep). Pauses: the "
            "stop-the-world pauses of the timed runs (gort: read_gc_pauses, Go: "
            "/gc/pauses:seconds, after − before; Boehm GC: each collection timed from "
            "GC_EVENT_PRE_STOP_WORLD to GC_EVENT_POST_START_WORLD), every percentile the upper "
            "bound of its bucket in Go's time histogram. GC CPU fraction: GC CPU time between the "
            "cycle ends before and after the run over the CPU time available then, from "
            "GCCPUFraction (Boehm GC: pause time over run time). Mark rate: marked bytes "
            "(HeapAlloc right after the collection; Boehm GC: nodes × GC_size) over the wall "
            "time of one forced collection. Peak HeapInuse: highest reading after each 10 ms "
            "allocation step. Ratios: gort's figure over the peer's. — = not available.")
        text += f"\n{extra_tables}\n\n{extra_legend}\n"
    if args.net:
        net_text = run_net_compare(args)
        if net_text:
            text += f"\n{net_text}"
        else:
            failed = True
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
            "results": results,  # side -> key -> {"ns_per_op": median, "samples": [...]|null[, "gc": {...}]}
            # side -> GC key -> {"ns_per_op", "peak_rss_kib", "gc_cycles", "gc_pause_ns",
            # "extra": {GC_EXTRA_COUNTERS reported}} (null: not reported); the second and
            # third tables.
            "gc_workloads": gc_rows,
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
