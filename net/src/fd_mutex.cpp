// fd_mutex.cpp — Go's internal/poll fdMutex, line for line (fd_mutex.go); the
// state word is described in fd_mutex.hpp.
#include "fd_mutex.hpp"

#include <gort/panic.hpp>
#include <gort/runtime/internal/sema.hpp>

namespace gort::net::poll {

namespace {

// Go's overflowMsg: 2^20-1 operations at once on one descriptor.
constexpr const char* kOverflowMsg = "too many concurrent operations on a single file or socket (max 1048575)";

}  // namespace

bool FdMutex::incref() {
  for (;;) {
    uint64_t old = state_.load(std::memory_order_relaxed);
    if ((old & kClosed) != 0) return false;
    const uint64_t next = old + kRef;
    if ((next & kRefMask) == 0) throw Panic(kOverflowMsg);
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel)) return true;
  }
}

bool FdMutex::increfAndClose() {
  for (;;) {
    uint64_t old = state_.load(std::memory_order_relaxed);
    if ((old & kClosed) != 0) return false;
    // Mark as closed and acquire a reference.
    uint64_t next = (old | kClosed) + kRef;
    if ((next & kRefMask) == 0) throw Panic(kOverflowMsg);
    // Remove all read and write waiters.
    next &= ~(kRMask | kWMask);
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel)) {
      // Wake all read and write waiters; they see the closed bit on wake-up.
      for (; (old & kRMask) != 0; old -= kRWait) runtime::semrelease(&rsema_);
      for (; (old & kWMask) != 0; old -= kWWait) runtime::semrelease(&wsema_);
      return true;
    }
  }
}

bool FdMutex::decref() {
  for (;;) {
    uint64_t old = state_.load(std::memory_order_relaxed);
    if ((old & kRefMask) == 0) throw Panic("inconsistent poll.fdMutex");
    const uint64_t next = old - kRef;
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel)) {
      return (next & (kClosed | kRefMask)) == kClosed;
    }
  }
}

bool FdMutex::rwlock(bool read) {
  const auto [bit, wait, mask, sema] = direction(read);
  for (;;) {
    uint64_t old = state_.load(std::memory_order_relaxed);
    if ((old & kClosed) != 0) return false;
    uint64_t next;
    if ((old & bit) == 0) {
      // Lock is free, acquire it.
      next = (old | bit) + kRef;
      if ((next & kRefMask) == 0) throw Panic(kOverflowMsg);
    } else {
      // Wait for lock.
      next = old + wait;
      if ((next & mask) == 0) throw Panic(kOverflowMsg);
    }
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel)) {
      if ((old & bit) == 0) return true;
      runtime::semacquire(sema, runtime::WaitReason::Semacquire);
      // The signaller has subtracted `wait`.
    }
  }
}

bool FdMutex::rwunlock(bool read) {
  const auto [bit, wait, mask, sema] = direction(read);
  for (;;) {
    uint64_t old = state_.load(std::memory_order_relaxed);
    if ((old & bit) == 0 || (old & kRefMask) == 0) throw Panic("inconsistent poll.fdMutex");
    // Drop lock, drop reference and wake a waiter if present.
    uint64_t next = (old & ~bit) - kRef;
    if ((old & mask) != 0) next -= wait;
    if (state_.compare_exchange_weak(old, next, std::memory_order_acq_rel)) {
      if ((old & mask) != 0) runtime::semrelease(sema);
      return (next & (kClosed | kRefMask)) == kClosed;
    }
  }
}

}  // namespace gort::net::poll
