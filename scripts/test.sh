#!/usr/bin/env bash
# The test command: installs what is missing, builds gort three ways and runs the
# whole test suite in each: optimised with assertions, ASAN+UBSAN, TSAN.
#   scripts/test.sh [release|asan|tsan ...]   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
echo "=== dependencies: $(( $(date +%s) - start )) s ==="
flavours=("$@")
if ((${#flavours[@]} == 0)); then flavours=(release asan tsan); fi
jobs=$(nproc)
# Sanitizer runtime options: abort on the first report so ctest sees a failure.
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
failed=()
failed_tests=()
for f in "${flavours[@]}"; do
  echo "=== gort tests: $f build ==="
  start=$(date +%s)
  scripts/build.sh "$f"
  # Each phase's wall time, so a CI log shows where its time went.
  echo "=== $f build: $(( $(date +%s) - start )) s ==="
  case "$f" in release) dir=build ;; asan) dir=build-asan ;; tsan) dir=build-tsan ;; esac
  # Every test runs once; sanitizer builds run half the iterations of release
  # (tests/test_util.hpp, scaled) in that one run.
  start=$(date +%s)
  if ! ctest --test-dir "$dir" --output-on-failure -j "$jobs"; then
    failed+=("$f")
    # Name the failed tests again at the very end, where a truncated log still shows them.
    failed_tests+=("$f: $(tr '\n' ' ' < "$dir/Testing/Temporary/LastTestsFailed.log" 2>/dev/null || true)")
  fi
  echo "=== $f tests: $(( $(date +%s) - start )) s ==="
done
if ((${#failed[@]} != 0)); then
  printf 'failed tests: %s\n' "${failed_tests[@]}" >&2
  echo "FAILED in: ${failed[*]}" >&2
  exit 1
fi
