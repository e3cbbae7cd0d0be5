// gort/memstats.hpp — memory statistics with Go's names (runtime.MemStats and
// the runtime/metrics histogram "/gc/pauses:seconds").
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace gort {

/// The fields of Go's runtime.MemStats that gort's heap has (same names, same
/// meanings; see `go doc runtime.MemStats`).
struct MemStats {
  /// Bytes of allocated heap objects (= HeapAlloc).
  uint64_t Alloc = 0;
  /// Cumulative bytes allocated for heap objects.
  uint64_t TotalAlloc = 0;
  /// Bytes obtained from the OS for the heap and stacks: HeapSys, the address
  /// space reserved for goroutine stacks (released slots included, as Go's
  /// HeapReleased is) and the Ms' signal stacks.
  uint64_t Sys = 0;
  /// Cumulative count of heap objects allocated.
  uint64_t Mallocs = 0;
  /// Cumulative count of heap objects freed.
  uint64_t Frees = 0;
  /// Bytes of allocated heap objects.
  uint64_t HeapAlloc = 0;
  /// Bytes of heap memory obtained from the OS (arenas reserved).
  uint64_t HeapSys = 0;
  /// Bytes in idle (unused) spans.
  uint64_t HeapIdle = 0;
  /// Bytes in in-use spans.
  uint64_t HeapInuse = 0;
  /// Bytes of physical memory returned to the OS (never-touched heap memory
  /// included, as in Go); part of HeapIdle.
  uint64_t HeapReleased = 0;
  /// Number of allocated heap objects.
  uint64_t HeapObjects = 0;
  /// Bytes in goroutine stack slots in use: bound to a goroutine, or free and
  /// not yet given back to the OS (each GC gives the free ones back).
  uint64_t StackInuse = 0;
  /// StackInuse plus the Ms' signal stacks (Go: plus OS thread stacks).
  uint64_t StackSys = 0;
  /// The heap goal of the next cycle.
  uint64_t NextGC = 0;
  /// When the last cycle finished, in nanoseconds since the Unix epoch.
  uint64_t LastGC = 0;
  /// Cumulative stop-the-world pause time in nanoseconds.
  uint64_t PauseTotalNs = 0;
  /// Recent pause times, most recent at PauseNs[(NumGC+255)%256].
  std::array<uint64_t, 256> PauseNs{};
  /// Recent pause end times (Unix ns), indexed like PauseNs.
  std::array<uint64_t, 256> PauseEnd{};
  /// Completed cycles.
  uint32_t NumGC = 0;
  /// Cycles forced by gc::collect.
  uint32_t NumForcedGC = 0;
  /// Fraction of the CPU time available since the program started used by the GC.
  double GCCPUFraction = 0;
  /// Always true (Go keeps the field; GOGC=off still allows forced cycles).
  bool EnableGC = true;
};

/// Returns the statistics (mirrors runtime.ReadMemStats).  From a goroutine it
/// stops the world briefly, as Go does, so the object counts are exact; from any
/// other thread, the counts lag by the objects allocated from spans cached by Ps.
MemStats read_mem_stats();

/// A histogram in runtime/metrics' Float64Histogram shape: counts[i] values fell
/// in [buckets[i], buckets[i+1]).
struct Float64Histogram {
  std::vector<uint64_t> counts;
  std::vector<double> buckets;
};

/// The stop-the-world pause distribution (runtime/metrics "/gc/pauses:seconds"),
/// in Go 1.19's time-histogram buckets (16 linear sub-buckets per power of two).
Float64Histogram read_gc_pauses();

}  // namespace gort
