// lock.hpp — the runtime's internal lock (mirrors lock/unlock in lock_futex.go).
//
// Held only for short critical sections on the scheduler's shared state (global
// run queue, idle lists, semaphore table).  It blocks the OS thread, never the
// goroutine, so a goroutine must not park or yield while holding one.  Each lock
// held raises the M's `locks` count: async preemption and yielding inside the
// runtime are refused while it is non-zero (see DESIGN.md, preemption).
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

class Lock {
 public:
  /// Acquires the lock: brief spinning, then a futex sleep.  Not recursive.
  void lock();
  /// Releases the lock, waking one sleeper if any.  Precondition: held by caller.
  void unlock();

 private:
  /// 0 unlocked, 1 locked, 2 locked with possible sleepers (Go's mutex_sleeping).
  std::atomic<uint32_t> key_{0};
};

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
