// once.cpp — sync.Once's slow path (mirrors doSlow in src/sync/once.go).
//
// done_ is set only after the function returns (or throws), under the mutex:
// a caller that finds done_ set by the fast path's load must see the function's
// effects, so done_ cannot be claimed with a CAS before running it (a second
// caller would then return while the first still runs).  Callers arriving
// meanwhile park on the mutex until the first finishes.
#include <mutex>

#include <gort/once.hpp>

namespace gort {

// mirrors doSlow
void Once::call_slow(void (*invoke)(void*), void* fn) {
  std::lock_guard<Mutex> held(m_);
  if (done_.load(std::memory_order_relaxed) != 0) return;
  // Done even if fn throws (Go's deferred store): it is never run again.
  struct MarkDone {
    std::atomic<uint32_t>& done;
    ~MarkDone() { done.store(1, std::memory_order_release); }
  } mark_done{done_};
  invoke(fn);
}

}  // namespace gort
