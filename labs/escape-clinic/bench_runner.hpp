// bench_runner.hpp — runs the chosen snippets' benchmarks with Google Benchmark
// on the calling goroutine and collects the numbers.
//
// Each snippet contributes two benchmarks, "<id>/before" and "<id>/after",
// plus one harness benchmark, "harness/empty": an empty loop body inside the
// same counting window, which must count zero allocations of either kind — the
// proof that the window charges nothing of its own to the snippets.  Times
// are wall-clock (a goroutine may change threads, so per-thread CPU clocks do
// not apply), as go test's ns/op are.
#pragma once

#include "options.hpp"
#include "results.hpp"

namespace escape {

/// Runs the benchmarks of o.snippets (and the harness) o.count times each with
/// o.benchtime, reporting progress on stderr.  Throws std::runtime_error when a
/// benchmark reports an error.  Precondition: called on a goroutine (inside
/// gort::run), once per process (Google Benchmark's registry is global).
RuntimeResults run_gort_benchmarks(const Options& o);

}  // namespace escape
