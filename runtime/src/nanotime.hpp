// nanotime.hpp — the runtime's monotonic clock (Go's nanotime).
#pragma once

#include <time.h>

#include <cstdint>

namespace gort::runtime {

/// Monotonic nanoseconds (CLOCK_MONOTONIC via the vDSO: ~20 ns, no syscall).
inline int64_t nanotime() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace gort::runtime
