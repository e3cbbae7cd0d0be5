// busy_work.cpp — calibration and the loop itself.
#include "busy_work.hpp"

#include <time.h>

#include <algorithm>
#include <cstdint>

namespace schedlab {

// Not inlined, so the loop is the same machine code wherever it is called and
// the calibration measures exactly what the goroutines run.
__attribute__((noinline)) uint64_t spin(uint64_t steps, uint64_t seed) {
  // A 64-bit linear congruential step (Knuth's MMIX constants): one multiply and
  // one add per step, a dependency chain the compiler cannot vectorise or skip.
  uint64_t x = seed;
  for (uint64_t i = 0; i < steps; ++i) x = x * 6364136223846793005ULL + 1442695040888963407ULL;
  return x;
}

namespace {

/// The calling thread's CPU time.  The calibration times the loop with it, not
/// with the wall clock: on a machine shared with other processes the wall clock
/// counts the time the loop was not running, which shrank every goroutine's work
/// (a fresh machine still installing packages calibrated 66,520 steps per chunk
/// against 91,280 when quiet).  The calibrating goroutine makes no runtime call
/// while it spins, so it stays on one thread for each measurement.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ThreadCpuClock, duration>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec));
  }
};

}  // namespace

BusyWork calibrate(std::chrono::nanoseconds work) {
  using clock = ThreadCpuClock;
  // Grow the step count until one run takes at least 20 ms (long enough that
  // clock resolution and a stray interrupt are noise), then take the fastest
  // of 5 runs at that size: the loop's speed when it is not disturbed.
  constexpr auto kMinSample = std::chrono::milliseconds(20);
  constexpr int kSamples = 5;
  uint64_t steps = 1 << 16;
  uint64_t sink = 0;
  std::chrono::nanoseconds t{0};
  for (;;) {
    auto t0 = clock::now();
    sink += spin(steps, sink);
    t = clock::now() - t0;
    if (t >= kMinSample) break;
    steps *= 2;
  }
  for (int i = 0; i < kSamples; ++i) {
    auto t0 = clock::now();
    sink += spin(steps, sink);
    t = std::min<std::chrono::nanoseconds>(t, clock::now() - t0);
  }
  asm volatile("" : : "r"(sink));
  const double steps_per_ns = static_cast<double>(steps) / static_cast<double>(t.count());
  BusyWork w;
  w.chunks = kChunksPerWork;
  w.steps_per_chunk = std::max<uint64_t>(
      1, static_cast<uint64_t>(steps_per_ns * static_cast<double>(work.count()) / kChunksPerWork));
  return w;
}

}  // namespace schedlab
