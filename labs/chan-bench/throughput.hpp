// throughput.hpp — part 1 of the exercise: one producer goroutine sends
// 0..N-1 to one consumer goroutine through an unbuffered channel, a buffered
// channel of 1, one of 1024, a mutex-protected queue and an atomic-only SPSC
// ring, and each run is timed.
//
// The transfer itself is spsc-ring's (gort_lab_spsc_transfer: the same
// producer and consumer loops, the same in-order check, the same mutex queue
// and ring), so the two labs' figures are measured alike.  Runs are
// interleaved round by round (every variant once, then again), after one
// untimed warm-up of a tenth of the messages per variant, so a burst of load
// from elsewhere on the shared machine spreads over all variants instead of
// spoiling one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config.hpp"
#include "results.hpp"

namespace chanbench {

/// The variants in the lab's order: "unbuffered", "buffered1",
/// "buffered1024", "mutex", "ring".
const std::vector<std::string>& all_variants();

/// A short description for the report ("buffered channel, capacity 1").
std::string variant_description(const std::string& name, std::size_t capacity);

/// Runs part 1 on gort, with progress lines on stderr.  Precondition: called
/// from a goroutine inside gort::run with GOMAXPROCS already set; every name
/// in config.variants is one of all_variants(); config.messages >= 1.
ThroughputResults run_throughput(const ThroughputConfig& config);

}  // namespace chanbench
