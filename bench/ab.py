#!/usr/bin/env python3
"""A/B of two gort_bench binaries in one run: before and after a change.

The two binaries run alternately (A, B, A, B, ...) for --rounds rounds, each round one
process per side with the same --benchmark_filter, so drift of the machine (other load,
frequency) lands on both sides alike. Prints, per workload, the median ns_per_op of each
side over all rounds, the ratio B/A, and the spread (min..max) of each side, so a reader
can tell a change from noise.

Usage:
  python3 bench/ab.py --a OLD/bench/gort_bench --b NEW/bench/gort_bench
                      [--filter REGEX] [--rounds 5] [--min-time 0.2]
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys


def run_once(binary: str, flt: str, min_time: float) -> dict[str, float]:
    """One process of binary; returns workload -> ns_per_op."""
    out = subprocess.run(
        [binary, f"--benchmark_filter={flt}", f"--benchmark_min_time={min_time}", "--benchmark_format=json"],
        capture_output=True, text=True, check=True, timeout=1800).stdout
    result = {}
    for b in json.loads(out)["benchmarks"]:
        if b.get("run_type") == "aggregate" or "ns_per_op" not in b:
            continue
        name = b["run_name"].removeprefix("BM_")
        name = "/".join(s for s in name.split("/") if not s.startswith(("min_time:", "iterations:"))
                        and s not in ("manual_time", "real_time"))
        result[name] = b["ns_per_op"]
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", required=True, help="the gort_bench of before")
    ap.add_argument("--b", required=True, help="the gort_bench of after")
    ap.add_argument("--filter", default=".", help="Google Benchmark filter (regex)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per benchmark and process")
    args = ap.parse_args()
    samples: dict[str, tuple[list[float], list[float]]] = {}
    for r in range(args.rounds):
        for side, binary in enumerate((args.a, args.b)):
            for name, ns in run_once(binary, args.filter, args.min_time).items():
                samples.setdefault(name, ([], []))[side].append(ns)
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    print("| workload | A ns/op (median) | B ns/op (median) | B/A | A min..max | B min..max |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, (a, b) in samples.items():
        if not a or not b:
            print(f"| {name} | {'—' if not a else f'{statistics.median(a):.1f}'} | "
                  f"{'—' if not b else f'{statistics.median(b):.1f}'} | — | | |")
            continue
        ma, mb = statistics.median(a), statistics.median(b)
        print(f"| {name} | {ma:.1f} | {mb:.1f} | {mb / ma:.2f} | {min(a):.1f}..{max(a):.1f} | "
              f"{min(b):.1f}..{max(b):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
