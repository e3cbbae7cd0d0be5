// lock_futex.hpp — the runtime lock's spin policy (lock_futex.go) and its RAII holder;
// the lock itself is in gort/runtime/internal/lock.hpp (lock_futex.cpp).
//
// Held only for short critical sections on the scheduler's shared state (global
// run queue, idle lists, semaphore table).  It blocks the OS thread, never the
// goroutine, so a goroutine must not park or yield while holding one.  Each lock
// held raises the M's `locks` count: async preemption and yielding inside the
// runtime are refused while it is non-zero (see runtime/src/preempt.cpp).
#pragma once

#include <gort/runtime/internal/lock.hpp>

namespace gort::runtime {

/// Go's active_spin and active_spin_cnt (lock_futex.go): 4 rounds of 30 PAUSEs
/// before a waiter gives up its CPU, a few hundred cycles each, about what a
/// short critical section on another core takes.  Shared by Lock (lock_futex.cpp)
/// and sync.Mutex's spinning policy (spin.cpp).
inline constexpr int kActiveSpin = 4;
inline constexpr int kActiveSpinCount = 30;

/// Executes n PAUSE instructions (Go's procyield).
inline void procyield(int n) {
  for (int i = 0; i < n; ++i) __builtin_ia32_pause();
}

/// RAII holder for Lock.
class LockGuard {
 public:
  explicit LockGuard(Lock& l) : l_(l) { l_.lock(); }
  ~LockGuard() { l_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  Lock& l_;
};

}  // namespace gort::runtime
