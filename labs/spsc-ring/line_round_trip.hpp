// line_round_trip.hpp — what one cache-line transfer between the two sides
// costs on this machine: the calibration the ring's figures are read against.
//
// Two goroutines (on two Ps, as the producer and the consumer) bounce one
// 64-byte-aligned atomic counter: one waits for an even value and writes the
// next odd one, the other the reverse.  Each step needs the line to move to
// the other core and back, so the time per round trip is two transfers (plus
// the waits' own instructions).  Both sides wait as the lab's wait policy says;
// a round trip far above a few hundred nanoseconds means the two sides did not
// run at the same time (they took turns on one P, or the OS descheduled one).
#pragma once

#include <cstdint>

#include <spsclab/wait_policy.hpp>

namespace spsclab {

/// Times `round_trips` round trips of one cache line between two goroutines
/// and returns the wall time in nanoseconds.  Precondition: called from a
/// goroutine (inside gort::run); round_trips >= 1.
std::int64_t time_line_round_trips(std::uint64_t round_trips, WaitPolicy wait);

}  // namespace spsclab
