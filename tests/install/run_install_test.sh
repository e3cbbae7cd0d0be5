#!/usr/bin/env bash
# Installs the gort build in $1 into a scratch prefix, builds tests/install
# against it with find_package(gort) as most users build (CMAKE_BUILD_TYPE=Release,
# no -g of their own) and runs the result: the API works, and a deadlock dump
# and a panic name the program's own frames with file and line and hide
# gort's, as Go's tracebacks do at GOTRACEBACK=single.
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$src_dir" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
ninja -C "$work/build" >/dev/null
out=$("$work/build/consumer")
echo "$out"
[[ "$out" == "ok 1 1 1" ]]

failed=0
# expect MODE PATTERN...: the mode exits 2 and its report matches every
# extended regular expression (a line each), in order.
expect() {
  local mode=$1 rc=0 report
  shift
  report=$(timeout --signal=QUIT 60 "$work/build/consumer" "$mode" 2>&1 >/dev/null) || rc=$?
  if ((rc != 2)); then
    echo "consumer $mode: exit $rc, want 2"; echo "$report"; failed=1; return
  fi
  local rest=$report
  for pattern in "$@"; do
    local line
    line=$(grep -nE -m1 -- "$pattern" <<<"$rest" | cut -d: -f1) || true
    if [[ -z "$line" ]]; then
      echo "consumer $mode: no line matching '$pattern' (in order) in:"; echo "$report"; failed=1; return
    fi
    rest=$(tail -n +"$((line + 1))" <<<"$rest")
  done
  if grep -qE '^gort::|^\?$' <<<"$report"; then
    echo "consumer $mode: gort's own or unnamed frames shown at GOTRACEBACK=single:"; echo "$report"; failed=1
  fi
}
expect deadlock '^fatal error: all goroutines are asleep - deadlock!$' \
  '^goroutine 1 \[chan receive\]:$' '^wait_forever\(gort::Chan<int>&\)$' '^	.*/consumer.cpp:[0-9]+' \
  '^deadlock\(\)::' '^	.*/consumer.cpp:[0-9]+' \
  '^goroutine [0-9]+ \[chan receive\]:$' '^wait_forever\(gort::Chan<int>&\)$' \
  '^created by deadlock\(\)::.* in goroutine 1$' '^	.*/consumer.cpp:[0-9]+ '
expect panic '^panic: std::runtime_error: boom$' '^goroutine [0-9]+ \[running\]:$' \
  '^explode\(int\)' '^	.*/consumer.cpp:[0-9]+' '^created by panic\(\)::.* in goroutine 1$'
exit $failed
