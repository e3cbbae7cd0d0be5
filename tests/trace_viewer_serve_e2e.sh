#!/usr/bin/env bash
# trace_viewer_serve_e2e.sh — `trace-viewer serve` end to end: a real trace
# (gort_testprog's TraceWorkload with GORTTRACE) served on 127.0.0.1:0, its
# URL read from the one line the server prints, headless Chromium opening the
# page zoomed into the middle of the trace (#view=): the page must draw the
# trace's lanes and fetch at least one window from the server
# (<body data-windows-loaded>, no data-window-error).  Then SIGTERM must stop
# the server with exit status 0, and SIGINT a second one.  Bad input first: a missing trace exits 1
# with the other subcommands' one-line error, a malformed --addr or one that
# cannot be listened on exits 2.  Every step has a timeout.
#   trace_viewer_serve_e2e.sh TESTPROG VIEWER CHROMIUM_CHECK OUTDIR
set -euo pipefail
source "$(dirname "$0")/trace_viewer_serve_util.sh"
testprog=$1 viewer=$2 check=$3 out=$4
mkdir -p "$out"
trace="$out/serve.trace"
GOMAXPROCS=2 GORTTRACE="$trace" timeout -s QUIT -k 5 120 "$testprog" TraceWorkload > "$out/testprog.out"

expect_exit() {  # expect_exit CODE STDERR-PATTERN -- command...
  local want=$1 pattern=$2 rc=0
  shift 3
  timeout -k 5 60 "$@" > "$out/bad.out" 2> "$out/bad.err" || rc=$?
  if [[ $rc != "$want" ]] || ! grep -q -- "$pattern" "$out/bad.err"; then
    echo "FAIL: $* exited $rc (want $want), stderr: $(cat "$out/bad.err")"; exit 1
  fi
}
expect_exit 1 "^trace-viewer: $out/missing.trace: " -- "$viewer" serve "$out/missing.trace"
[[ $(wc -l < "$out/bad.err") == 1 ]] || { echo "FAIL: the error is not one line"; exit 1; }
expect_exit 2 "want HOST:PORT" -- "$viewer" serve "$trace" --addr nonsense
expect_exit 2 "^trace-viewer: --addr 192.0.2.1:0: " -- "$viewer" serve "$trace" --addr 192.0.2.1:0

# The server, in the background; killed by the trap if anything below fails.
timeout -s KILL 300 "$viewer" serve "$trace" > "$out/serve.out" 2> "$out/serve.err" &
server=$!
# On failure: the server (timeout's child) and timeout itself.
trap 'kill -KILL $(pgrep -P $server) $server 2>/dev/null || true' EXIT
url=$(wait_serving "$out/serve.out" $server 300)   # its one line, within 30 s
[[ $(wc -l < "$out/serve.out") == 1 ]] || { echo "FAIL: more than one line on stdout"; exit 1; }

# The trace's length from the server, then a view of its middle tenth.
view=$(timeout 30 python3 - "$url" <<'EOF'
import json, sys, urllib.request
d = json.load(urllib.request.urlopen(sys.argv[1] + "data?from=0&to=1&px=1", timeout=20))
n = d["meta"]["duration_ns"]
print(f"{n * 45 // 100},{n * 55 // 100}")
EOF
)
python3 "$check" "$url" --hash "view=$view" --screenshot "$out/serve.png" --timeout 120 \
  --expect-proc-lanes 2 --min-goroutine-lanes 14 --min-goroutine-lanes-drawn 14 --min-slices 1 \
  --expect-counter-tracks 3 --expect-attr data-served=1 --min-attr data-windows-loaded=1 \
  --expect-no-attr data-window-error

kill -TERM $server
rc=0
wait $server || rc=$?
trap - EXIT
[[ $rc == 0 ]] || { echo "FAIL: the server exited $rc after SIGTERM: $(cat "$out/serve.err")"; exit 1; }

# SIGINT (Ctrl-C) stops it too, even started in the background of a script,
# where the shell starts it with SIGINT ignored.  The server itself, not a
# timeout wrapper, gets the signal.
"$viewer" serve "$trace" > "$out/serve2.out" 2> "$out/serve2.err" &
server=$!
trap 'kill -KILL $server 2>/dev/null || true' EXIT
wait_serving "$out/serve2.out" $server 300 > /dev/null
kill -INT $server
rc=0
for _ in $(seq 300); do kill -0 $server 2>/dev/null || break; sleep 0.1; done   # 30 s to stop
kill -0 $server 2>/dev/null && { echo "FAIL: still running 30 s after SIGINT"; exit 1; }
wait $server || rc=$?
trap - EXIT
[[ $rc == 0 ]] || { echo "FAIL: the server exited $rc after SIGINT: $(cat "$out/serve2.err")"; exit 1; }
echo "trace_viewer_serve_e2e: ok ($out)"
