# trace_viewer_serve_util.sh — sourced by the `trace-viewer serve` scripts
# (trace_viewer_serve_e2e.sh, trace_viewer_serve_big.sh).

# wait_serving OUT PID POLLS: waits up to POLLS × 0.1 s for the one line a
# server started in the background writes to OUT, and prints its URL.  Fails,
# with the server's stderr (OUT's .err twin), when the server PID exits first,
# and when no line comes in time.
wait_serving() {
  local out=$1 pid=$2 polls=$3 url
  for _ in $(seq "$polls"); do
    grep -q "^trace-viewer: serving http://" "$out" && break
    kill -0 "$pid" 2>/dev/null || { echo "FAIL: the server exited: $(cat "${out%.out}.err")" >&2; return 1; }
    sleep 0.1
  done
  url=$(sed -n 's/^trace-viewer: serving \(http:.*\)$/\1/p' "$out")
  [[ -n "$url" ]] || { echo "FAIL: no URL printed within $((polls / 10)) s" >&2; return 1; }
  echo "$url"
}
