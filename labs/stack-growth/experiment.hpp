// experiment.hpp — the lab's experiment on gort: the course's steps 1-4.
//
//   growth  depth(n) in one goroutine for n ascending (always starting at 0,
//           which calibrates the goroutine's own frames), up to "max", the
//           deepest n that stays kHeadroomBytes clear of the stack limit; then
//           the smallest n > 0 once more, on the slot the deep run left (the
//           steps run with GOMAXPROCS=1 so that it is that slot).
//   churn   the same total number of depth frames spread over K goroutines
//           (K from the fan-out list) and in the goroutine-per-call style (one
//           goroutine per frame), each repeated for several rounds.
// Every measurement holds the goroutines at their deepest frame (hold.hpp);
// a sampler records the process-wide figures over time throughout.
// The Go twin (go/main.go) runs the same steps with the same parameters.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "results.hpp"

namespace stacklab {

/// A depth step meaning "the deepest n that fits" (resolved while running).
inline constexpr int kMaxDepthStep = -1;

/// Stack kept free below the deepest depth frame at the "max" step: the hold
/// parks the goroutine in a channel receive (runtime frames and the saved
/// context, a few KiB), and sanitizer builds make those frames larger; four
/// pages keep the step clear of the guard everywhere.
inline constexpr std::uint64_t kHeadroomBytes = 16 * 1024;

/// A flag value that turned out impossible only once measured (a depth or a
/// total that would overflow the stack): the lab exits with status 2 as for any
/// malformed flag.
class FlagError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What to run.
struct ExperimentConfig {
  /// depth arguments for the growth steps, in order; kMaxDepthStep allowed
  /// after a positive value (its stride sizes "max").  0 is run first always.
  std::vector<int> depths;
  /// Frames each churn style spreads; 0: the resolved max depth's frames,
  /// rounded down to a multiple of the largest fan-out.
  int total_frames = 0;
  /// Goroutine counts K for the churn styles (each runs total/K frames).
  std::vector<int> fanouts;
  /// Also run the goroutine-per-call style.
  bool per_call = true;
  /// Rounds per churn style.
  int rounds = 10;
  /// How long each measurement keeps the goroutines held (so the sampler sees
  /// the plateau).
  std::chrono::milliseconds hold{20};
  /// Time between samples of the time series.
  std::chrono::milliseconds sample_interval{5};
  /// Force a GC cycle at every hold, after the measurement, so that
  /// GODEBUG=gctrace=1 prints a line ("N MB stacks") with the goroutines deep.
  bool gc_while_held = false;
};

/// The deepest n whose frames fit under `limit` with kHeadroomBytes to spare,
/// given the measured frame sizes; at least 1.
int max_fitting_depth(std::uint64_t limit, double entry_to_depth0_bytes, double bytes_per_frame);

/// Runs the whole experiment and returns its measurements (runtime "gort").
/// Precondition: called from the main goroutine (inside gort::run), with no
/// other goroutines of the program running.  Throws FlagError for a depth or
/// total that does not fit the stack, std::runtime_error when a measurement
/// cannot be taken (the message says which).
RuntimeResults run_on_gort(const ExperimentConfig& config);

}  // namespace stacklab
