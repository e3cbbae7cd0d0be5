// nanotime.hpp — the runtime's monotonic clocks: Go's nanotime, and a coarse
// copy of it that sysmon refreshes.
#pragma once

#include <time.h>

#include <atomic>
#include <cstdint>

namespace gort::runtime {

/// Monotonic nanoseconds (CLOCK_MONOTONIC via the vDSO: ~20 ns, no syscall).
inline int64_t nanotime() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

/// The coarse clock's value; written by sysmon only (coarse_nanotime_update).
inline std::atomic<int64_t> coarse_now{0};

/// A coarse clock (sysmon refreshes it every tick, at least every 10 ms when
/// busy): cheap enough to stamp every park with, as Go stamps waitsince lazily.
inline int64_t coarse_nanotime() { return coarse_now.load(std::memory_order_relaxed); }
/// Sets the coarse clock to now (sysmon, and once at its start).
inline void coarse_nanotime_update(int64_t now) { coarse_now.store(now, std::memory_order_relaxed); }

}  // namespace gort::runtime
