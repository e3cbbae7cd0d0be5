// experiment.hpp — every variant of the three groups, several timed runs
// each, on gort, counted as testing.B -benchmem counts.
//
// Each run does a fixed number of operations (never an open-ended b.N) and
// is timed with the wall clock.  Before it the managed heap is collected (as
// testing.B's runN calls runtime.GC) and both heaps' counters are read —
// gort::read_mem_stats for managed objects, lab::read_cxx_heap_counts for C++
// operator new — and again after it, so allocs/op is the delta over the
// operations, never an estimate.  Runs are interleaved round by round after
// one untimed warm-up of a tenth of the operations per variant, so a burst of
// load from elsewhere spreads over every variant.  The Go twin does the same.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "level_logger.hpp"
#include "results.hpp"

namespace ifacebench {

/// What to run.
struct ExperimentConfig {
  /// Three-way paths, logger versions and boxing variants, in report order.
  std::vector<std::string> paths, loggers, boxing;
  /// Operations per run: step calls, handler requests, values formatted.
  uint64_t calls = 0, requests = 0, boxes = 0;
  /// Timed runs per variant.
  int runs = 0;
  /// The logger's level (Info: debug lines are filtered out).
  Level log_level = Level::Info;
};

/// Runs the experiment on gort with progress lines on stderr.  Precondition:
/// called from the main goroutine inside gort::run.
RuntimeResults run_on_gort(const ExperimentConfig& config);

}  // namespace ifacebench
