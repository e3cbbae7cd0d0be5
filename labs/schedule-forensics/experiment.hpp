// experiment.hpp — one variant of the course's experiment, run on gort.
//
// The main goroutine sets GOMAXPROCS, spawns the goroutines one after another
// (recording when each `go` statement ran) and waits for them all; each
// goroutine records when it first ran and when its work was done.  Times are
// nanoseconds since the variant began, so a goroutine's time to completion is
// end - spawn and its wait for a first P is start - spawn.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "busy_work.hpp"
#include "options.hpp"

namespace schedlab {

/// What one goroutine of a variant recorded.
struct GoroutineTimes {
  /// When its `go` statement ran.
  int64_t spawn_ns = 0;
  /// When it first ran.
  int64_t start_ns = 0;
  /// When its work was done.
  int64_t end_ns = 0;
};

/// A variant's measurements.
struct VariantResult {
  Variant variant;
  /// One entry per goroutine, in spawn order.
  std::vector<GoroutineTimes> goroutines;
  /// From the variant's start until the last goroutine finished.
  int64_t wall_ns = 0;
  /// CPU time (user + system) the whole process used over the same interval:
  /// the work the busy goroutines actually did, measured rather than assumed
  /// from the calibration (see D in report.cpp).  0 when not measured.
  int64_t cpu_ns = 0;
};

/// Starts n goroutines that sleep together for a millisecond and waits for them,
/// so every variant finds n stacks already mapped and cached (the first variant
/// would otherwise also measure page faults).  Precondition: called from a goroutine.
void warm_up(int n);

/// Runs one variant: sets GOMAXPROCS to v.procs, spawns n goroutines doing `work`
/// (busy steps, the same with yields, or a sleep) and waits for all of them.
/// When tracing is on, the variant is a trace task and each goroutine's work a
/// region in it.  *done counts finished goroutines (read by a progress thread).
/// Precondition: called from the main goroutine.
VariantResult run_variant(const Variant& v, const BusyWork& busy, int n, std::chrono::nanoseconds work,
                          std::atomic<int>* done);

}  // namespace schedlab
