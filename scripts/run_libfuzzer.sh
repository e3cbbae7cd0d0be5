#!/usr/bin/env bash
# Builds a libFuzzer target with clang and runs it for a bounded time: the
# ctest fuzz tests (TraceViewer.Fuzz, Http.Fuzz) and runs by hand.
#   run_libfuzzer.sh CLANGXX OUT_DIR SECONDS SOURCE_DIR TARGET_CPP SEED_CMD \
#       [-I DIR]... [-l LIB]... [--corpus DIR] -- SOURCES...
# TARGET_CPP (LLVMFuzzerTestOneInput) and SOURCES are compiled with
# -fsanitize=fuzzer,address,undefined at -O1; -I adds an include directory (relative
# to SOURCE_DIR), -l a library to link, --corpus a checked-in corpus to read.
# SEED_CMD DIR writes seed inputs into DIR ("-" for none).  New inputs go to
# OUT_DIR/corpus, crashes to OUT_DIR (the run then fails).  The binary is rebuilt
# only when a source or a header in the include directories is newer.
set -euo pipefail
clangxx=$1 out=$2 seconds=$3 src=$4 target=$5 seeds_cmd=$6
shift 6
includes=() libs=() corpora=()
while (($# > 0)); do
  case "$1" in
    -I) includes+=("-I$src/$2"); shift 2 ;;
    -l) libs+=("-l$2"); shift 2 ;;
    --corpus) corpora+=("$src/$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "run_libfuzzer: unknown option $1" >&2; exit 2 ;;
  esac
done
sources=("$target" "$@")
mkdir -p "$out/corpus" "$out/seeds"
bin="$out/$(basename "$target" .cpp)"
rebuild=1
if [[ -x "$bin" ]]; then
  rebuild=0
  headers=()
  for inc in "${includes[@]}"; do
    while IFS= read -r -d '' h; do headers+=("$h"); done < <(find "${inc#-I}" -name '*.hpp' -print0)
  done
  for f in "${sources[@]}" "${headers[@]}"; do
    if [[ "$f" -nt "$bin" ]]; then rebuild=1; break; fi
  done
fi
if ((rebuild)); then
  echo "run_libfuzzer: building $bin with $clangxx" >&2
  objs="$out/obj"
  rm -rf "$objs"
  mkdir -p "$objs"
  # One object per source, two compilers at a time (the machine has 2 cores).
  pids=()
  i=0
  for f in "${sources[@]}"; do
    "$clangxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
      "${includes[@]}" -c "$f" -o "$objs/$i.o" &
    pids+=($!)
    i=$((i + 1))
    if ((${#pids[@]} == 2)); then
      wait "${pids[0]}"; wait "${pids[1]}"
      pids=()
    fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$clangxx" -fsanitize=fuzzer,address,undefined "$objs"/*.o "${libs[@]}" -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi
if [[ "$seeds_cmd" != "-" ]]; then "$seeds_cmd" "$out/seeds"; fi
cd "$out"
exec "$bin" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$out/corpus" "$out/seeds" "${corpora[@]}"
