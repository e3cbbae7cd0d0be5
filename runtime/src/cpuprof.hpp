// cpuprof.hpp — what the scheduler calls of the CPU profiler (cpuprof.cpp).
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/hooks.hpp>

#include "m.hpp"
#include "sched.hpp"

namespace gort::runtime {

/// Arms (hz > 0) or deletes (hz == 0) the calling thread's CPU-time timer
/// (mirrors setThreadCPUProfiler in os_linux.go).  Precondition: mp is the
/// calling thread's M.
void set_thread_cpu_profiler(M* mp, int32_t hz);

/// The profilers' hooks, or null when gort::pprof is not linked in.
const ProfileHooks* profile_hooks();

/// Brings mp's timer to the profiling rate in force (the check at the top of
/// Go's execute): a relaxed load and a compare when nothing changed.
/// Precondition: mp is the calling thread's M.
inline void check_thread_cpu_profiler(M* mp) {
  const int32_t hz = sched.profilehz.load(std::memory_order_relaxed);
  if (__builtin_expect(mp->profilehz != hz, 0)) set_thread_cpu_profiler(mp, hz);
}

}  // namespace gort::runtime
