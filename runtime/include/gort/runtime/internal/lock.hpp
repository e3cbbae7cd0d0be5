// gort/runtime/internal/lock.hpp — the runtime's lock (mirrors lock/unlock in lock_futex.go),
// for the scheduler's shared state and for channels (hchan.lock).
//
// Held only for short critical sections: it blocks the OS thread, never the
// goroutine, so a goroutine must not park or yield while holding one, except
// through park()'s unlockf, which releases it once the goroutine is off its
// stack (how a channel publishes a waiter and sleeps atomically).  Each lock held
// raises the M's `locks` count: async preemption and yielding inside the runtime
// are refused while it is non-zero.
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

class Lock {
 public:
  /// Acquires the lock: brief spinning, then a futex sleep.  Not recursive.
  void lock();
  /// Releases the lock, waking one sleeper if any.  Precondition: held by the
  /// calling thread (or handed to it by park's unlockf on the same M).
  void unlock();

 private:
  /// 0 unlocked, 1 locked, 2 locked with possible sleepers (Go's mutex_sleeping).
  std::atomic<uint32_t> key_{0};
};

}  // namespace gort::runtime
