// waitgroup.cpp — sync.WaitGroup, line for line Go 1.19's algorithm: one 64-bit
// word holds counter and waiter count so add and wait agree without a lock.
#include <gort/panic.hpp>
#include <gort/runtime/internal/sema.hpp>
#include <gort/waitgroup.hpp>

namespace gort {

void WaitGroup::add(int delta) {
  const uint64_t state = state_.fetch_add(uint64_t(int64_t(delta)) << 32, std::memory_order_acq_rel) +
                         (uint64_t(int64_t(delta)) << 32);
  const int32_t v = static_cast<int32_t>(state >> 32);
  uint32_t w = static_cast<uint32_t>(state);
  if (v < 0) throw Panic("sync: negative WaitGroup counter");
  if (w != 0 && delta > 0 && v == delta) {
    throw Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  }
  if (v > 0 || w == 0) return;
  // Counter is 0 and there are waiters: nobody may add or wait now.
  if (state_.load(std::memory_order_acquire) != state) {
    throw Panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  }
  state_.store(0, std::memory_order_release);
  for (; w != 0; --w) runtime::semrelease(&sema_, false);
}

void WaitGroup::wait() {
  for (;;) {
    uint64_t state = state_.load(std::memory_order_acquire);
    if (static_cast<int32_t>(state >> 32) == 0) return;
    if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) {
      runtime::semacquire(&sema_, runtime::WaitReason::SyncWaitGroupWait);
      if (state_.load(std::memory_order_acquire) != 0) {
        throw Panic("sync: WaitGroup is reused before previous Wait has returned");
      }
      return;
    }
  }
}

}  // namespace gort
