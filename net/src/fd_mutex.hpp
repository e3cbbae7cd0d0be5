// fd_mutex.hpp — Go's internal/poll fdMutex: the reference count and the read
// and write locks that keep a descriptor open while operations use it.
//
// Mirrors golang/go src/internal/poll/fd_mutex.go bit for bit.  One 64-bit
// word holds a closed bit, the read lock, the write lock, a 20-bit count of
// references (every operation in progress holds one) and 20-bit counts of
// goroutines waiting for each lock; waiters park on the runtime semaphores
// rsema_ and wsema_.  Close sets the closed bit (increfAndClose), after which
// every lock and incref fails and the waiters are woken to see it; whoever
// drops the last reference after that destroys the descriptor (decref and
// rwunlock return true to it).
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::net::poll {

class FdMutex {
 public:
  /// Adds a reference unless closed (mirrors fdMutex.incref); false if closed.
  bool incref();
  /// Marks closed and adds a reference, waking every lock waiter (mirrors
  /// fdMutex.increfAndClose); false if it was already closed.
  bool increfAndClose();
  /// Drops a reference (mirrors fdMutex.decref); true when the caller must
  /// destroy the descriptor (closed and no reference left).
  bool decref();
  /// Takes the read (read = true) or write lock and a reference, parking the
  /// goroutine while another holds that lock (mirrors fdMutex.rwlock); false
  /// if closed.  Precondition: called from a goroutine.
  bool rwlock(bool read);
  /// Releases the lock and the reference taken by rwlock, waking one waiter
  /// (mirrors fdMutex.rwunlock); true when the caller must destroy the descriptor.
  bool rwunlock(bool read);

 private:
  // The state word's fields (fd_mutex.go's constants).
  static constexpr uint64_t kClosed = 1ull << 0;
  static constexpr uint64_t kRLock = 1ull << 1;
  static constexpr uint64_t kWLock = 1ull << 2;
  static constexpr uint64_t kRef = 1ull << 3;
  static constexpr uint64_t kRefMask = ((1ull << 20) - 1) << 3;
  static constexpr uint64_t kRWait = 1ull << 23;
  static constexpr uint64_t kRMask = ((1ull << 20) - 1) << 23;
  static constexpr uint64_t kWWait = 1ull << 43;
  static constexpr uint64_t kWMask = ((1ull << 20) - 1) << 43;

  /// The state bits and semaphore of one direction: its lock bit, one waiter's
  /// increment, the waiter-count mask, and the semaphore its waiters sleep on.
  struct Direction {
    uint64_t bit, wait, mask;
    std::atomic<uint32_t>* sema;
  };
  Direction direction(bool read) {
    return read ? Direction{kRLock, kRWait, kRMask, &rsema_} : Direction{kWLock, kWWait, kWMask, &wsema_};
  }

  std::atomic<uint64_t> state_{0};
  std::atomic<uint32_t> rsema_{0};
  std::atomic<uint32_t> wsema_{0};
};

}  // namespace gort::net::poll
