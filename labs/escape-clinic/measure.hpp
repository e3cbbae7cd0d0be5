// measure.hpp — allocations per operation, counted the way Go's testing.B
// counts them, for both heaps a gort program allocates from.
//
// testing.B's -benchmem reads runtime.MemStats before and after the timed
// loop and divides the Mallocs and TotalAlloc deltas by b.N; it also runs a
// collection before each run so garbage from the previous run is not charged to
// this one.  measure_loop does the same around a Google Benchmark loop, for the
// managed heap (gort::read_mem_stats: exact, it stops the world as Go's does)
// and for the C++ heap (lab/alloc_counter.hpp), and stores the four totals as user
// counters of the run, where the reporter (bench_runner.hpp) finds them.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace escape {

/// Names of the user counters a measured run carries (totals over the run).
inline constexpr const char* kCounterManagedAllocs = "managed_allocs";
inline constexpr const char* kCounterManagedBytes = "managed_bytes";
inline constexpr const char* kCounterCxxAllocs = "cxx_allocs";
inline constexpr const char* kCounterCxxBytes = "cxx_bytes";

/// The allocation counters of both heaps at one instant (cumulative).
struct AllocCounts {
  /// Managed objects allocated (MemStats.Mallocs).
  uint64_t managed_allocs = 0;
  /// Managed bytes allocated (MemStats.TotalAlloc).
  uint64_t managed_bytes = 0;
  /// C++ heap allocations (operator new calls).
  uint64_t cxx_allocs = 0;
  /// C++ heap bytes requested.
  uint64_t cxx_bytes = 0;
};

/// The counting window around one benchmark run.  Opening it collects
/// garbage and waits for goroutines a previous run left exiting, then reads the
/// counters (managed first, so the C++ read is the last thing before the loop);
/// close() reads them again (C++ first) and stores the deltas in the state.
/// Precondition: used on a goroutine (inside gort::run), one window at a time.
class MeasureWindow {
 public:
  /// Opens the window: collects, then reads both heaps' counters.
  MeasureWindow();
  /// Waits for goroutines the loop started to exit, then stores the totals as
  /// the state's counters.  Call once, right after the loop.
  void close(benchmark::State& state);

 private:
  /// Goroutines alive when the window opened (those started inside must be gone
  /// before it closes: their exit may still free or allocate).
  int goroutines_at_open_;
  /// Counters when the window opened.
  AllocCounts open_;
};

/// Runs op() once per benchmark iteration inside a counting window.
template <class Op>
void measure_loop(benchmark::State& state, Op op) {
  MeasureWindow window;
  for (auto _ : state) op();
  window.close(state);
}

}  // namespace escape
