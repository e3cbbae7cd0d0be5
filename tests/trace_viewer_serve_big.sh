#!/usr/bin/env bash
# trace_viewer_serve_big.sh — the large-trace run of `trace-viewer serve`
# (trace-viewer/README.md, "Large traces"); not part of ctest, it takes
# minutes and gigabytes.  gort_testprog's TraceManyEvents writes a trace of
# about 48 events per round (ROUNDS, default 800000: some 38 million events);
# the server loads it, and the script prints: the trace's size and events,
# the time to the "serving" line, the server's memory, the size and time of
# the page and of window responses, then opens the page in headless Chromium
# zoomed into the middle of the trace and checks that it drew the lanes and
# fetched a window.  SIGTERM then stops the server (exit status 0 checked).
#   trace_viewer_serve_big.sh TESTPROG VIEWER CHROMIUM_CHECK OUTDIR [ROUNDS]
set -euo pipefail
source "$(dirname "$0")/trace_viewer_serve_util.sh"
testprog=$1 viewer=$2 check=$3 out=$4 rounds=${5:-800000}
mkdir -p "$out"
trace="$out/big.trace"
if [[ ! -s "$trace" || ! -f "$out/rounds-$rounds" ]]; then
  rm -f "$out"/rounds-*
  GOMAXPROCS=2 GORTTRACE="$trace" GORT_TRACE_ROUNDS=$rounds timeout -s QUIT 1800 "$testprog" TraceManyEvents
  touch "$out/rounds-$rounds"
fi
echo "trace: $(stat -c %s "$trace") bytes"
timeout 1800 "$viewer" validate "$trace" | sed -n 2p

start=$(date +%s.%N)
timeout -s KILL 3600 "$viewer" serve "$trace" > "$out/serve.out" 2> "$out/serve.err" &
server=$!
# On failure: the server (timeout's child) and timeout itself.
trap 'kill -KILL $(pgrep -P $server) $server 2>/dev/null || true' EXIT
url=$(wait_serving "$out/serve.out" $server 18000)   # up to 30 min
echo "load to the serving line: $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
pid=$(pgrep -P $server || echo $server)   # timeout's child, the server itself
grep -E "VmHWM|VmRSS" /proc/$pid/status | tr -s ' \t' ' ' | paste -sd';'

timeout 600 python3 - "$url" <<'EOF'
import json, sys, time, urllib.request
base = sys.argv[1]
def get(path):
    t = time.monotonic()
    body = urllib.request.urlopen(base + path, timeout=300).read()
    return body, time.monotonic() - t
page, dt = get("")
print(f"GET / : {len(page)} bytes in {dt * 1000:.0f} ms")
d = json.loads(get("data?from=0&to=1&px=1")[0])
n, events = d["meta"]["duration_ns"], d["meta"]["events"]
print(f"trace: {events} events, {n / 1e9:.3f} s")
for label, path in [
    ("whole trace, 1200 columns", f"data?from=0&to={n}&px=1200"),
    ("1% window, 3600 columns + rest 2000", f"data?from={n // 2}&to={n // 2 + n // 100}&px=3600&rest=2000"),
    ("1 ms window, 3600 columns", f"data?from={n // 2}&to={n // 2 + 1000000}&px=3600"),
]:
    body, dt = get(path)
    w = json.loads(body)["meta"]["window"]
    print(f"GET {label}: {len(body)} bytes in {dt * 1000:.0f} ms "
          f"({w['slices_in']} slices in, {w['slices_out']} out)")
EOF

t0=$(( $(timeout 60 python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"data?from=0&to=1&px=1"))["meta"]["duration_ns"])' "$url") ))
view="$((t0 / 2)),$((t0 / 2 + t0 / 200))"
python3 "$check" "$url" --hash "view=$view" --timeout 600 --virtual-time-budget 20000 --print-attrs \
  --expect-proc-lanes 2 --min-goroutine-lanes 17 --min-slices 1 \
  --expect-attr data-served=1 --min-attr data-windows-loaded=1 --expect-no-attr data-window-error

kill -TERM $server
rc=0
wait $server || rc=$?
trap - EXIT
[[ $rc == 0 ]] || { echo "FAIL: the server exited $rc after SIGTERM"; exit 1; }
echo "trace_viewer_serve_big: ok"
