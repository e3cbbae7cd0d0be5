#!/usr/bin/env bash
# Configures and builds one flavour of gort.
#   scripts/build.sh [release|asan|tsan]   (default: release)
# release: optimised with assertions (build/); asan: ASAN+UBSAN (build-asan/);
# tsan: ThreadSanitizer (build-tsan/).  `--target NAME` (repeatable) builds only
# those targets; other extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
flavour=${1:-release}
shift || true
cmake_args=()
targets=()
while (($# > 0)); do
  if [[ "$1" == --target ]]; then
    targets+=("$2")
    shift 2
  else
    cmake_args+=("$1")
    shift
  fi
done
case "$flavour" in
  release) dir=build; san="" ;;
  asan)    dir=build-asan; san=address ;;
  tsan)    dir=build-tsan; san=thread ;;
  *) echo "build.sh: unknown flavour '$flavour' (expected release, asan or tsan)" >&2; exit 2 ;;
esac
# The full lab list, whatever an earlier configure left in the cache (a tree configured
# before a lab was added would not build it); `-DGORT_LABS=...` among the extra arguments,
# which come after, still picks a subset.
extra=(-UGORT_LABS)
if [[ -n "$san" ]]; then
  # Sanitizer builds exist to run the tests (the labs' short modes among them); benchmarks stay out.
  extra+=(-DGORT_BUILD_BENCH=OFF -DGORT_BUILD_LABS=ON)
  # -O1, as the sanitizers' own documentation advises: a third less compile CPU than -O2
  # (measured on Machine A, NOTES §11), which is most of CI's time, for tests that check
  # behaviour, not speed.  Release stays at -O2.
  extra+=("-DCMAKE_CXX_FLAGS_RELWITHASSERT=-O1 -g" "-DCMAKE_C_FLAGS_RELWITHASSERT=-O1 -g")
fi
# -Og for the code that only checks — the tests, the labs' plumbing (and, in the
# sanitizer builds, trace-viewer): 35-40% less compile CPU than -O2 or -O1 for those
# files (NOTES §11, "CI time, a fourth time").  The runtime, the benchmarks and the
# files a lab measures keep the build type's -O2 (release) or -O1 (sanitizers).
extra+=(-DGORT_CHECK_CODE_OPT=-Og)
cmake -S . -B "$dir" -G Ninja -DGORT_SANITIZE="$san" -DGORT_BUILD_TESTS=ON "${extra[@]}" "${cmake_args[@]}" >/dev/null
ninja -C "$dir" "${targets[@]}"
