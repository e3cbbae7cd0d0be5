// experiment.hpp — every variant, several timed runs each, on gort.
//
// Runs are interleaved round by round (ring, withoutPad, chan, mutex, then
// again), so a burst of load from elsewhere on the machine spreads over all
// variants instead of spoiling one; each variant first runs one untimed
// warm-up of a tenth of the messages (goroutine stacks, channel and heap
// caches, page faults of the buffers).  Each round starts with a calibration
// run: one cache line bounced between two goroutines messages/10 times
// (line_round_trip.hpp).  The Go twin does the same.
#pragma once

#include <vector>

#include "results.hpp"
#include <spsclab/transfer.hpp>
#include <spsclab/variants.hpp>

namespace spsclab {

/// What to run.
struct ExperimentConfig {
  /// The variants, in report order.
  std::vector<Variant> variants;
  /// Messages, capacity and wait policy of every run.
  TransferConfig transfer;
  /// Timed runs per variant.
  int runs = 0;
  /// Ps for the runs (GOMAXPROCS).
  int procs = 2;
};

/// Runs the experiment and returns its measurements (runtime "gort"), with
/// progress lines on stderr.  Precondition: called from the main goroutine
/// inside gort::run, with no other goroutines of the program running.
RuntimeResults run_on_gort(const ExperimentConfig& config);

}  // namespace spsclab
