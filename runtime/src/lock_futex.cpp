// lock_futex.cpp — futex lock with Go's spin policy (lock_futex.go: active_spin = 4
// rounds of 30 PAUSEs, then passive_spin = 1 sched_yield, then sleep).
#include "lock_futex.hpp"

#include <linux/futex.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "current.hpp"
#include "m.hpp"

namespace gort::runtime {

namespace {
constexpr uint32_t kUnlocked = 0;
constexpr uint32_t kLocked = 1;
constexpr uint32_t kSleeping = 2;
// Go's passive_spin: one sched_yield round before sleeping on the futex.
constexpr int kPassiveSpin = 1;

// lock() and unlock() are out of line and never switch goroutines, so the TLS
// slot can be read directly here (current.hpp).
void adjust_locks(int delta) {
  if (M* mp = tls_current_m) mp->locks += delta;
}
}  // namespace

void Lock::lock() {
  adjust_locks(+1);
  uint32_t v = kUnlocked;
  if (key_.compare_exchange_strong(v, kLocked, std::memory_order_acquire)) return;
  // Remember whether there were sleepers: if we take the lock, keep "sleeping"
  // so unlock still wakes them.
  uint32_t wait = key_.exchange(kLocked, std::memory_order_acquire);
  if (wait == kUnlocked) return;
  for (;;) {
    for (int i = 0; i < kActiveSpin; ++i) {
      while (key_.load(std::memory_order_relaxed) == kUnlocked) {
        uint32_t expected = kUnlocked;
        if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire)) return;
      }
      procyield(kActiveSpinCount);
    }
    for (int i = 0; i < kPassiveSpin; ++i) {
      while (key_.load(std::memory_order_relaxed) == kUnlocked) {
        uint32_t expected = kUnlocked;
        if (key_.compare_exchange_weak(expected, wait, std::memory_order_acquire)) return;
      }
      sched_yield();
    }
    v = key_.exchange(kSleeping, std::memory_order_acquire);
    if (v == kUnlocked) return;
    wait = kSleeping;
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&key_), FUTEX_WAIT_PRIVATE, kSleeping, nullptr,
            nullptr, 0);
  }
}

void Lock::unlock() {
  uint32_t v = key_.exchange(kUnlocked, std::memory_order_release);
  if (v == kSleeping) {
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(&key_), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
  }
  adjust_locks(-1);
}

}  // namespace gort::runtime
