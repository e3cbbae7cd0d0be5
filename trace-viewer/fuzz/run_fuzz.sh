#!/usr/bin/env bash
# Builds the trace-viewer libFuzzer target with clang and runs it for a
# bounded time (the ctest TraceViewer.Fuzz, or by hand).
#   run_fuzz.sh CLANGXX OUT_DIR SECONDS SOURCE_DIR CORPUS_GEN [LIBRARY_SOURCES...]
# CORPUS_GEN writes the seed traces of tests/trace_builder into a directory;
# the checked-in trace-viewer/fuzz/corpus/ is read too.  New inputs go to
# OUT_DIR/corpus, crashes to OUT_DIR (the run then fails).
set -euo pipefail
clangxx=$1 out=$2 seconds=$3 src=$4 gen=$5
shift 5
mkdir -p "$out/corpus" "$out/seeds"
bin="$out/reader_fuzz"
# Rebuild only when a source is newer than the binary.
rebuild=1
if [[ -x "$bin" ]]; then
  rebuild=0
  for f in "$src/trace-viewer/fuzz/reader_fuzz.cpp" "$@" "$src"/trace-viewer/src/*.hpp "$src"/trace-viewer/src/analysis/*.hpp \
           "$src/runtime/include/gort/trace_format.hpp" "$src/pprof/include/gort/pprof/proto_builder.hpp"; do
    if [[ "$f" -nt "$bin" ]]; then rebuild=1; break; fi
  done
fi
if ((rebuild)); then
  echo "run_fuzz: building $bin with $clangxx" >&2
  objs="$out/obj"
  rm -rf "$objs"
  mkdir -p "$objs"
  # One object per source, two compilers at a time (the machine has 2 cores).
  i=0
  for f in "$src/trace-viewer/fuzz/reader_fuzz.cpp" "$@"; do
    printf '%s\0%s\0' "$f" "$objs/$i.o"
    i=$((i + 1))
  done | xargs -0 -n 2 -P 2 sh -c '"$0" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
      -fno-sanitize-recover=undefined -I"$1/trace-viewer/src" -I"$1/runtime/include" -I"$1/pprof/include" -c "$2" -o "$3"' \
      "$clangxx" "$src"
  "$clangxx" -fsanitize=fuzzer,address,undefined "$objs"/*.o -lfmt -lz -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi
"$gen" "$out/seeds"
cd "$out"
exec "$bin" -max_total_time="$seconds" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  "$out/corpus" "$out/seeds" "$src/trace-viewer/fuzz/corpus"
