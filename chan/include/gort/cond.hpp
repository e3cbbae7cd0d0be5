// gort/cond.hpp — sync.Cond (mirrors src/sync/cond.go, Go 1.19).
#pragma once

#include <gort/locker.hpp>
#include <gort/runtime/internal/notify_list.hpp>

namespace gort {

/// A condition variable: a rendezvous point for goroutines waiting for, or
/// announcing, a change to state guarded by the lock L.  As in Go, wait()
/// returns only after signal() or broadcast() (never spuriously), but the
/// condition may have changed again by then, so callers wait in a loop:
///   mu.lock(); while (!ready) cond.wait(); ...; mu.unlock();
/// Must not be copied.
class Cond {
 public:
  /// Makes a Cond whose lock is l (Go's sync.NewCond(l)); any BasicLockable
  /// converts to a Locker.  l must outlive the Cond.
  explicit Cond(Locker l) : L(l) {}
  Cond(const Cond&) = delete;
  Cond& operator=(const Cond&) = delete;

  /// Atomically unlocks L and parks the calling goroutine ("sync.Cond.Wait")
  /// until a signal or broadcast that comes after wait's start, then locks L
  /// again before returning (Go's Wait).  Precondition: the caller holds L;
  /// called from a goroutine.
  void wait();

  /// Wakes the goroutine that has waited longest, if any (Go's Signal).  The
  /// caller may but need not hold L.
  void signal() { notify_.notify_one(); }

  /// Wakes every waiting goroutine (Go's Broadcast).  The caller may but need
  /// not hold L.
  void broadcast() { notify_.notify_all(); }

  /// The lock held while observing or changing the condition (Go's field L,
  /// kept under Go's name).
  Locker L;

 private:
  /// The waiters, by ticket (runtime notifyList).
  runtime::NotifyList notify_;
};

}  // namespace gort
