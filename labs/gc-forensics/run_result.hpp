// run_result.hpp — what one run (one process, one GC setting) measured, and
// its JSON form.
//
// The same schema comes out of the lab's child (--child) and out of the Go
// twin (-json), so the parent reads both with run_result_from_json and every
// table compares like with like.  Everything here is read from the runtime's
// own statistics (gort::read_mem_stats / runtime.ReadMemStats) by a sampler
// every kSampleInterval, plus what the workload itself counted:
//
//   {"runtime":"gort","workload":"service","gogc":"100","memlimit":"off",
//    "procs":2,"elapsed_ns":…,"requested_bytes":…,"total_alloc_bytes":…,
//    "num_gc":…,"num_forced_gc":0,"pauses_ns":[…],"lost_pauses":0,
//    "gc_cpu_fraction":…,"peak_heap_alloc":…,"peak_heap_inuse":…,
//    "retained_objects":…,"requests":…,"refactor":false,"mallocs":…,
//    "measured_gc_cycles":…,"gc_cycles_before":…,"samples":[[t_s,heap_alloc,heap_inuse,next_gc],…]}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gclab {

/// One read of the memory statistics.
struct HeapSample {
  /// Seconds since the run's program started its workload clock.
  double t_s = 0;
  /// MemStats.HeapAlloc, HeapInuse and NextGC at that moment.
  uint64_t heap_alloc = 0, heap_inuse = 0, next_gc = 0;
};

/// One run's measurements.
struct RunResult {
  /// "gort" or "go".
  std::string runtime;
  /// workload_name() of the workload run.
  std::string workload;
  /// GOGC and GOMEMLIMIT as the run's environment gave them.
  std::string gogc, memlimit;
  /// GOMAXPROCS of the run.
  int procs = 0;
  /// Wall time of the workload (service: the paced phase; retain: the loop).
  int64_t elapsed_ns = 0;
  /// Bytes the workload asked for (object sizes as written in the program),
  /// during elapsed_ns.
  uint64_t requested_bytes = 0;
  /// Growth of MemStats.TotalAlloc over the whole run: the runtime's count,
  /// sizes rounded up to size classes, object headers included.
  uint64_t total_alloc_bytes = 0;
  /// MemStats.NumGC and NumForcedGC at the last sample.
  uint32_t num_gc = 0, num_forced_gc = 0;
  /// Stop-the-world time of every cycle in order (MemStats.PauseNs).
  std::vector<uint64_t> pauses_ns;
  /// Cycles whose pause fell out of the 256-entry PauseNs ring between two
  /// samples (0 unless the sampler was starved).
  uint32_t lost_pauses = 0;
  /// MemStats.GCCPUFraction at the last sample.
  double gc_cpu_fraction = 0;
  /// Highest HeapAlloc and HeapInuse seen by the sampler.
  uint64_t peak_heap_alloc = 0, peak_heap_inuse = 0;
  /// Objects the workload still held at the end (retain: the buffers; service:
  /// the cache entries).
  int64_t retained_objects = 0;
  /// Service: requests served in the measured phase.
  int64_t requests = 0;
  /// Service: whether the refactored requests ran (step 4).
  bool refactor = false;
  /// Service: MemStats.Mallocs growth over the measured phase (allocs/op is
  /// mallocs / requests) and the cycles completed in it.
  uint64_t mallocs = 0;
  uint32_t measured_gc_cycles = 0;
  /// Service: NumGC when the measured phase began.
  uint32_t gc_cycles_before = 0;
  /// The heap over time.
  std::vector<HeapSample> samples;
};

/// The result as JSON (the schema above).
nlohmann::json to_json(const RunResult& r);

/// Reads a result from JSON text.  Returns nullopt with *why set when the text
/// is not JSON or lacks a field of the schema.
std::optional<RunResult> run_result_from_json(const std::string& text, std::string* why);

}  // namespace gclab
