// spin.cpp — sync.Mutex's spinning policy (mirrors sync_runtime_canSpin and
// sync_runtime_doSpin in proc.go).
//
// sync.Mutex is cooperative, so it spins conservatively: only a few active
// rounds (no passive spinning, i.e. no sched_yield as the runtime Lock does,
// because other goroutines may be waiting on this P or on the global queue),
// and only while some other P runs a goroutine that could be the holder.
// The CPU count is read once, as Go reads ncpu once at start.
#include <gort/runtime/internal/spin.hpp>

#include "env.hpp"
#include "lock_futex.hpp"
#include "runq.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {

int32_t cached_ncpu() {
  static const int32_t n = ncpu();
  return n;
}

}  // namespace

// mirrors sync_runtime_canSpin
bool sync_can_spin(int iter) {
  if (iter >= kActiveSpin || cached_ncpu() <= 1 ||
      gomaxprocs() <= sched.npidle.load(std::memory_order_relaxed) +
                          sched.nmspinning.load(std::memory_order_relaxed) + 1) {
    return false;
  }
  P* pp = current_p();
  return pp != nullptr && runqempty(pp);
}

// mirrors sync_runtime_doSpin
void sync_do_spin() {
  procyield(kActiveSpinCount);
}

}  // namespace gort::runtime
