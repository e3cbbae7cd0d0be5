#!/usr/bin/env bash
# Installs the gort build in $1 into a scratch prefix, builds tests/install
# against it with find_package(gort) and runs the result.
set -euo pipefail
build_dir=$1
src_dir=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$src_dir" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
ninja -C "$work/build" >/dev/null
out=$("$work/build/consumer")
echo "$out"
[[ "$out" == "ok 1 1" ]]
