// heap_sampler.hpp — the heap over time, as a Go program would watch it: a
// goroutine calling gort::read_mem_stats (runtime.ReadMemStats) every
// kSampleInterval while the workload runs.
//
// Each read records HeapAlloc, HeapInuse and NextGC for the plot and the
// peaks, and collects the pause of every cycle completed since the previous
// read from the PauseNs ring (cycle k's pause is PauseNs[(k-1) % 256], as Go
// stores it), so the pause distribution covers every cycle, not only the last
// 256.  Like Go's ReadMemStats, each read stops the world briefly; that is
// part of what both runtimes are measured with, not a gort-only cost.
#pragma once

#include <gort/memstats.hpp>
#include <gort/waitgroup.hpp>

#include <atomic>
#include <chrono>

#include "run_result.hpp"

namespace gclab {

/// Samples the memory statistics on its own goroutine between start and stop.
class HeapSampler {
 public:
  /// Reads the starting statistics (TotalAlloc base).  Precondition: on a goroutine.
  HeapSampler();

  /// Starts the sampling goroutine.  Precondition: called once, before stop.
  void start();

  /// Stops the sampling goroutine, waits for it, and takes one last sample
  /// (so the end state is always recorded).  Precondition: after start.
  void stop();

  /// Copies the samples, pauses, peaks and final counters into r.
  void fill(RunResult* r) const;

 private:
  /// Reads the statistics once and records them.  Called by one goroutine at a
  /// time (the sampling goroutine, then stop's caller after it has returned).
  void sample();

  /// When sampling began: the time origin of the samples.
  std::chrono::steady_clock::time_point epoch_;
  /// TotalAlloc when the sampler was made.
  uint64_t total_alloc_base_ = 0;
  /// Asks the sampling goroutine to return.
  std::atomic<bool> stopping_{false};
  /// Done when the sampling goroutine has returned.
  gort::WaitGroup running_;
  /// The heap over time.
  std::vector<HeapSample> samples_;
  /// Pause of every cycle seen, in cycle order.
  std::vector<uint64_t> pauses_ns_;
  /// NumGC at the previous sample: the cycles whose pauses were collected.
  uint32_t seen_cycles_ = 0;
  /// Cycles whose pauses left the ring before a read saw them.
  uint32_t lost_pauses_ = 0;
  /// The last statistics read (final counters).
  gort::MemStats last_{};
  /// Highest HeapAlloc and HeapInuse seen.
  uint64_t peak_heap_alloc_ = 0, peak_heap_inuse_ = 0;
};

}  // namespace gclab
