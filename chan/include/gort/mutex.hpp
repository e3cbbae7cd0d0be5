// gort/mutex.hpp — sync.Mutex (mirrors src/sync/mutex.go, Go 1.19).
//
// A mutual exclusion lock that parks goroutines, never OS threads.  The zero
// state is unlocked; it is not tied to a goroutine (one may lock, another
// unlock).  Satisfies the standard Lockable requirements, so std::lock_guard,
// std::unique_lock and std::scoped_lock work.  Fairness follows Go: normal mode
// lets running goroutines barge ahead of woken waiters; a waiter that waits
// over 1 ms switches the mutex to starvation mode, where unlock hands ownership
// straight to the oldest waiter (chan/src/mutex.cpp explains both).
#pragma once

#include <atomic>
#include <cstdint>

namespace gort {

class Mutex {
 public:
  constexpr Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  /// Locks the mutex, parking the calling goroutine until it is available
  /// (Go's Lock).  Precondition: called from a goroutine; not recursive (a
  /// goroutine locking a mutex it holds blocks forever, as in Go).
  void lock() {
    int32_t unlocked = 0;  // fast path: one CAS on an unlocked, uncontended mutex
    if (state_.compare_exchange_strong(unlocked, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return;
    }
    lock_slow();
  }

  /// Locks the mutex if that needs no waiting and it is not in starvation mode;
  /// returns whether it did (Go's TryLock).  Never blocks; any goroutine.
  bool try_lock();

  /// Unlocks the mutex (Go's Unlock).  Unlocking an unlocked mutex is Go's
  /// unrecoverable "fatal error: sync: unlock of unlocked mutex" (exit status 2).
  /// Precondition: the mutex is locked (by any goroutine).
  void unlock() {
    const int32_t now = state_.fetch_sub(kLocked, std::memory_order_release) - kLocked;
    if (now != 0) unlock_slow(now);  // waiters, a flag, or not locked at all
  }

  /// True while the mutex is in starvation mode: a racy snapshot of the state
  /// word, for tests and diagnostics only.
  bool starving() const { return (state_.load(std::memory_order_relaxed) & kStarving) != 0; }

 private:
  // The state word, as Go lays it out: three flags, then the waiter count.
  /// The mutex is held.
  static constexpr int32_t kLocked = 1;
  /// A waiter is awake (spinning or woken): unlock need not wake another.
  static constexpr int32_t kWoken = 2;
  /// Starvation mode: ownership is handed to the oldest waiter on unlock.
  static constexpr int32_t kStarving = 4;
  /// The number of parked waiters occupies the bits from here up.
  static constexpr int kWaiterShift = 3;

  /// Spinning, queueing and starvation handling (mirrors lockSlow).
  void lock_slow();
  /// Waking a waiter or handing off ownership; `now` is the state after the
  /// unlocking decrement (mirrors unlockSlow).
  void unlock_slow(int32_t now);

  /// kLocked | kWoken | kStarving | waiters << kWaiterShift (Go's state).
  std::atomic<int32_t> state_{0};
  /// Runtime semaphore the waiters park on (Go's sema).
  std::atomic<uint32_t> sema_{0};
};

}  // namespace gort
