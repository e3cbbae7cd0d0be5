// summary.hpp — the per-run figures the report's summary table and the JSON
// output both show, computed once from a run's result and gctrace log.
#pragma once

#include <lab/report.hpp>

#include <cstdint>
#include <optional>

#include "scenario_run.hpp"

namespace gclab {

/// A run reduced to the course's questions: how many cycles, how long the
/// pauses, how much CPU, how much memory.
struct RunSummary {
  /// gctrace lines printed (every completed cycle, forced ones included).
  std::size_t cycles = 0;
  /// Of those, cycles started by runtime.GC / gc::collect.
  std::size_t forced_cycles = 0;
  /// Per-cycle stop-the-world time (MemStats.PauseNs), in ns.
  lab::Distribution pauses_ns;
  /// MemStats.GCCPUFraction at the end.
  double gc_cpu_fraction = 0;
  /// Highest HeapAlloc / HeapInuse sampled, in bytes.
  uint64_t peak_heap_alloc = 0, peak_heap_inuse = 0;
  /// Largest heap goal a gctrace line printed, in MiB (nullopt: no cycle).
  std::optional<uint64_t> max_goal_mb;
  /// Largest marked (live) heap a gctrace line printed, in MiB.
  std::optional<uint64_t> max_live_mb;
  /// Bytes the workload requested per second of its measured phase.
  double requested_rate = 0;
  /// TotalAlloc growth per second of the whole run (the runtime's own count).
  double total_alloc_rate = 0;
};

/// Summarises one run.
RunSummary summarize_run(const ScenarioRun& run);

}  // namespace gclab
