#!/usr/bin/env bash
# Installs the Debian 12 packages gort needs.  Idempotent: installs only what is
# missing, and runs `apt-get update` only when something must be installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config python3 git
  libboost-context-dev libboost-fiber-dev   # fibers; Boost.Fiber is a benchmark peer
  libgtest-dev libgmock-dev libbenchmark-dev
  liburing-dev libunwind-dev libdw-dev libjemalloc-dev libfmt-dev libcli11-dev
  libgc-dev                                 # Boehm GC, a benchmark peer
  nlohmann-json3-dev                        # trace-viewer: JSON export and web view model
  clang libclang-rt-dev                     # the libFuzzer targets (trace-viewer, gort::http; fuzz tests)
  chromium                                  # trace-viewer: the web page drawn in headless Chromium (tests)
  golang-go                                 # Go 1.19: parity checks, benchmark peer, the labs' Go twins
  gnuplot-nox                               # labs: SVG plots
  wrk                                       # HTTP load for the gort::http benchmarks (bench/http_compare.py)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
