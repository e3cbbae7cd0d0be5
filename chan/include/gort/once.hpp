// gort/once.hpp — sync.Once (mirrors src/sync/once.go, Go 1.19).
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

#include <gort/mutex.hpp>

namespace gort {

/// Runs a function exactly once: the first call(fn) runs fn; every other call,
/// concurrent or later, returns only after that first fn has finished.  If fn
/// throws, the Once still counts as done (Go: "if f panics, Do considers it to
/// have returned") and the exception propagates to that first caller only.
/// Must not be copied.  Calling call() from inside fn on the same Once blocks
/// forever, as in Go.
class Once {
 public:
  constexpr Once() = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  /// Runs fn() if no call() on this Once has run its function yet (Go's Do).
  /// Precondition: called from a goroutine.
  template <class F>
  void call(F&& fn) {
    // Fast path: one load.  Acquire pairs with the release in call_slow, so a
    // caller that sees done also sees everything fn did.
    if (done_.load(std::memory_order_acquire) != 0) return;
    using Fn = std::remove_reference_t<F>;
    call_slow([](void* f) { (*static_cast<Fn*>(f))(); }, const_cast<void*>(static_cast<const void*>(&fn)));
  }

 private:
  /// Locks m_ and runs invoke(fn) unless done (mirrors doSlow).
  void call_slow(void (*invoke)(void*), void* fn);

  /// 1 once the function has run (or thrown).  First: the fast path reads it.
  std::atomic<uint32_t> done_{0};
  /// Held while the function runs; concurrent callers wait on it.
  Mutex m_;
};

}  // namespace gort
