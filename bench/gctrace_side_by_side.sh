#!/usr/bin/env bash
# Runs gc_memlimit_100mbs once on gort and once on Go with GODEBUG=gctrace=1 and prints both
# gctrace logs (each side's stderr) one after the other, for comparing the cycles of the
# two collectors under GOMEMLIMIT=512MiB GOGC=off.
#   bench/gctrace_side_by_side.sh [build-dir]     (default: build)
# The workload sets the limit and GOGC=off through the API (gc::set_memory_limit,
# gc::set_gc_percent(-1); debug.SetMemoryLimit, debug.SetGCPercent(-1)); the same values go
# into the environment too, so the runtime starts with them.  One timed run per side
# (gort: GORT_BENCH_WARMUP=0 and one iteration; Go: -reps 1, whose untimed warm-up run
# cannot be switched off, so Go's log shows two runs).  The gort log also shows the
# gc::collect that precedes the run, the Go log the runtime.GC before each run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
gort_bench="$build/bench/gort_bench"
if [[ ! -x "$gort_bench" ]]; then
  echo "gctrace_side_by_side.sh: $gort_bench not found; build it first (bench/README.md)" >&2
  exit 2
fi
go_bin=$(mktemp -d)/gort-go-bench
trap 'rm -rf "$(dirname "$go_bin")"' EXIT
(cd bench/go && GOPROXY=off GO111MODULE=on go build -o "$go_bin" .)

export GODEBUG=gctrace=1 GOMEMLIMIT=512MiB GOGC=off
echo "=== gort: gc_memlimit_100mbs, GODEBUG=$GODEBUG GOMEMLIMIT=$GOMEMLIMIT GOGC=$GOGC ==="
GORT_BENCH_WARMUP=0 "$gort_bench" --benchmark_filter='^BM_gc_memlimit_100mbs' \
  --benchmark_min_time=0 2>&1 >/dev/null
echo
echo "=== Go $(go env GOVERSION): gc_memlimit_100mbs, GODEBUG=$GODEBUG GOMEMLIMIT=$GOMEMLIMIT GOGC=$GOGC ==="
"$go_bin" -reps 1 -filter '^gc_memlimit_100mbs$' 2>&1 >/dev/null
