// measure.cpp — the counting window (see measure.hpp).
#include "measure.hpp"

#include <gort/gort.hpp>
#include <lab/alloc_counter.hpp>

namespace escape {
namespace {

/// Yields until at most `n` goroutines exist (those a run started have
/// returned and destroyed their closures).
void wait_for_goroutines(int n) {
  while (gort::num_goroutine() > n) gort::gosched();
}

}  // namespace

MeasureWindow::MeasureWindow() : goroutines_at_open_(gort::num_goroutine()) {
  gort::gc::collect();  // testing.B's runN: runtime.GC() before each run
  const gort::MemStats m = gort::read_mem_stats();
  const lab::CxxHeapCounts c = lab::read_cxx_heap_counts();
  open_ = {m.Mallocs, m.TotalAlloc, c.allocations, c.bytes};
}

void MeasureWindow::close(benchmark::State& state) {
  wait_for_goroutines(goroutines_at_open_);
  const lab::CxxHeapCounts c = lab::read_cxx_heap_counts();
  const gort::MemStats m = gort::read_mem_stats();
  // Plain counters: the reporter divides by the run's iteration count itself.
  state.counters[kCounterManagedAllocs] = static_cast<double>(m.Mallocs - open_.managed_allocs);
  state.counters[kCounterManagedBytes] = static_cast<double>(m.TotalAlloc - open_.managed_bytes);
  state.counters[kCounterCxxAllocs] = static_cast<double>(c.allocations - open_.cxx_allocs);
  state.counters[kCounterCxxBytes] = static_cast<double>(c.bytes - open_.cxx_bytes);
}

}  // namespace escape
