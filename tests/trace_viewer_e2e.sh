#!/usr/bin/env bash
# trace_viewer_e2e.sh — a real trace through the whole tool chain into a real
# browser: gort_testprog's TraceWorkload runs with GORTTRACE, then
# trace-viewer validates it, summarises it, exports it to Chrome JSON and
# renders it as a page, and headless Chromium draws the page; the page's
# <body data-*> counts must show the lanes of the trace (2 Ps, every
# goroutine, the GC cycle and its pauses, the counter tracks).
#   trace_viewer_e2e.sh TESTPROG VIEWER CHROMIUM_CHECK OUTDIR
set -euo pipefail
testprog=$1 viewer=$2 check=$3 out=$4
mkdir -p "$out"
trace="$out/e2e.trace"
GOMAXPROCS=2 GORTTRACE="$trace" timeout -s QUIT -k 5 120 "$testprog" TraceWorkload > "$out/testprog.out"
"$viewer" validate "$trace" > "$out/validate.txt"
grep -qx "ok" "$out/validate.txt"
"$viewer" summary "$trace" > "$out/summary.md"
grep -q "chan receive" "$out/summary.md"
"$viewer" export "$trace" -o "$out/e2e.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["traceEvents"]) > 100, len(d["traceEvents"])' "$out/e2e.json"
"$viewer" html "$trace" -o "$out/e2e.html"
# The workload has 13 goroutines plus main and one per GC cycle; its forced
# collection pauses twice and GOMAXPROCS once.
python3 "$check" "$out/e2e.html" --screenshot "$out/e2e.png" \
  --expect-proc-lanes 2 --min-goroutine-lanes 14 --min-slices 50 \
  --expect-gc-bands-min 1 --expect-stw-bands-min 3 --expect-counter-tracks 3
echo "trace_viewer_e2e: ok ($out)"
