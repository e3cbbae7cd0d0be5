// lab/alloc_counter.hpp — counts this program's C++ heap allocations.
//
// Go's testing package reports allocs/op from runtime.MemStats.Mallocs: every
// heap object the process allocated while the benchmark ran, divided by b.N.
// The managed heap of gort has the same counter (gort::read_mem_stats), but a
// C++ program also allocates from the C++ heap (operator new: std::function,
// std::ostringstream, std::vector, ...), which no runtime sees.  This file's
// implementation (library gort_lab_alloc_counter, an object library so the
// replacement is always linked in) replaces every form of the global operator
// new and delete in each binary that links it (escape-clinic, the spsc-ring
// tests), so C++ heap allocations are counted as Go counts heap objects:
// process-wide, by the allocation, never guessed.
//
// Cost.  A count is one relaxed increment of a counter owned by the allocating
// thread (no locked instruction, no shared cache line), so counting adds about a
// nanosecond to an allocation that costs tens.  A snapshot sums every thread's
// counters; threads are counted from their first allocation on.
#pragma once

#include <cstdint>

namespace lab {

/// Cumulative C++ heap allocations of the whole process since it started
/// (the C++ heap's Mallocs and TotalAlloc).
struct CxxHeapCounts {
  /// Calls of any operator new (scalar, array, aligned, nothrow) that returned memory.
  uint64_t allocations = 0;
  /// Bytes requested by those calls.
  uint64_t bytes = 0;
};

/// Sums the counters of every thread that has allocated.  Counts of a thread's
/// allocation that is in progress at the same time may or may not be included;
/// any thread may call it.
CxxHeapCounts read_cxx_heap_counts();

}  // namespace lab
