// gort/waitgroup.hpp — sync.WaitGroup (mirrors src/sync/waitgroup.go, Go 1.19).
#pragma once

#include <atomic>
#include <cstdint>

namespace gort {

/// Waits for a collection of goroutines to finish: add(n) before starting them,
/// done() in each, wait() to block (parking the goroutine, never the thread)
/// until the counter is zero.  Must not be copied after first use.
class WaitGroup {
 public:
  WaitGroup() = default;
  WaitGroup(const WaitGroup&) = delete;
  WaitGroup& operator=(const WaitGroup&) = delete;

  /// Adds delta (may be negative) to the counter; at zero, releases all waiters.
  /// Panics with "sync: negative WaitGroup counter" if it goes below zero.
  void add(int delta);
  /// Decrements the counter by one.
  void done() { add(-1); }
  /// Blocks until the counter is zero.  Precondition: called from a goroutine.
  void wait();

 private:
  /// High 32 bits: counter; low 32 bits: number of waiters (Go's state1).
  std::atomic<uint64_t> state_{0};
  /// Runtime semaphore the waiters park on.
  std::atomic<uint32_t> sema_{0};
};

}  // namespace gort
