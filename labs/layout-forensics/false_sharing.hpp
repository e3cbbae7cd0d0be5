// false_sharing.hpp — exercise step 4: two atomic counters, each incremented
// by its own goroutine on its own P, side by side on one cache line
// ("adjacent") or with a pad between them ("padded", Go's CacheLinePad).
//
// Each increment is a locked read-modify-write (C++'s fetch_add, Go's
// atomic.AddInt64: LOCK XADD on x86-64), which needs its line in the core's
// cache in the exclusive state.  When both counters share a line, every
// increment on one core takes the line away from the other, although neither
// goroutine ever reads the other's counter: the line bounces between the
// cores once per increment or so.  With the pad, each line stays in one
// core's cache.  The ratio of the two is what the course expects to be 5–20×.
// It exists only while the two goroutines really run at the same time on two
// cores: one P (or one free CPU) serialises them and there is nothing to share.
#pragma once

#include <cstdint>

#include "results.hpp"

namespace layoutlab {

/// What to run.
struct SharingConfig {
  /// Increments per goroutine per run.
  std::uint64_t increments = 0;
  /// Timed runs per variant (after one untimed warm-up each).
  int runs = 0;
  /// GOMAXPROCS for the runs.
  int procs = 2;
  /// Pad bytes between the padded variant's counters: 64 (a line, Go's
  /// CacheLinePad on amd64) or 128 (two lines, clear of the adjacent-line prefetcher).
  int pad_bytes = 64;
};

/// The bytes --pad accepts.
inline constexpr int kPadChoices[] = {64, 128};

/// Runs both variants, rounds interleaved (adjacent, padded, adjacent, ...),
/// with progress on stderr.  Precondition: called from the main goroutine
/// inside gort::run with no other goroutines of the program running;
/// config.pad_bytes is one of kPadChoices.
SharingResults run_false_sharing(const SharingConfig& config);

}  // namespace layoutlab
