// busy_work.hpp — the experiment's unit of CPU work, calibrated to a duration.
//
// The course's goroutines each run "a busy CPU loop for 10ms".  A loop that
// checks the clock until 10 ms have passed would count time spent preempted as
// work, so a goroutine descheduled halfway would do less computation than one
// that ran undisturbed; instead the lab measures, once, how many steps of a
// fixed computation this machine does per nanosecond of the thread's CPU time
// and gives every goroutine the same number of steps.  The Go twin calibrates
// its own loop the same way.  The report still measures the work each variant
// actually did (its CPU time) and says when it strays from the calibration.
#pragma once

#include <chrono>
#include <cstdint>

namespace schedlab {

/// A computation split into equal chunks (the gosched variant yields between them).
struct BusyWork {
  /// Loop steps per chunk.
  uint64_t steps_per_chunk = 0;
  /// Chunks per goroutine: kChunksPerWork, so a gosched goroutine yields 100 times.
  uint64_t chunks = 0;
};

/// Chunks each goroutine's work is split into: the gosched variant yields once
/// per chunk, 100 times per 10 ms (every 100 µs), often enough that a P is shared
/// finely and rarely enough that yields cost under 1% of the work.
inline constexpr uint64_t kChunksPerWork = 100;

/// Measures this machine's loop speed and returns the steps for `work` of CPU.
/// Timed in the calling thread's CPU time, so other processes on the machine do
/// not shorten the work.  Precondition: called from a goroutine.
BusyWork calibrate(std::chrono::nanoseconds work);

/// Runs `steps` loop steps without any runtime call; returns a value that
/// depends on every step (so the compiler keeps the loop).
uint64_t spin(uint64_t steps, uint64_t seed);

}  // namespace schedlab
