// gort/runtime/internal/notify_list.hpp — the ticket-based wait list under sync.Cond
// (mirrors notifyList and notifyListAdd/Wait/NotifyOne/NotifyAll in sema.go).
//
// A waiter first takes a ticket (add), may then release other locks, and only
// then waits for its ticket (wait).  A notification sent between the two is not
// lost: notify_one advances `notify` past the oldest outstanding ticket, and a
// waiter whose ticket is already below `notify` returns without parking.  This
// is what lets Cond.wait unlock its Locker between taking its place and parking.
#pragma once

#include <atomic>
#include <cstdint>

#include <gort/runtime/internal/lock.hpp>

namespace gort::runtime {

struct NotifyWaiter;

class NotifyList {
 public:
  NotifyList() = default;
  NotifyList(const NotifyList&) = delete;
  NotifyList& operator=(const NotifyList&) = delete;

  /// Takes the next ticket; wait(ticket) then returns once it is notified
  /// (notifyListAdd).  Lock-free; may be called concurrently, from any goroutine.
  uint32_t add();

  /// Parks the calling goroutine (wait reason "sync.Cond.Wait") until `ticket`
  /// is notified; returns at once if it already was (notifyListWait).
  /// Precondition: ticket came from add() on this list and is waited for once;
  /// called from a goroutine holding no runtime lock.
  void wait(uint32_t ticket);

  /// Wakes the waiter with the oldest unnotified ticket, if any; if it has not
  /// parked yet, it will not park (notifyListNotifyOne).  Any goroutine.
  void notify_one();

  /// Wakes every waiter whose ticket was taken so far (notifyListNotifyAll).
  void notify_all();

 private:
  /// Next ticket add() hands out.  Atomic: add takes no lock.
  std::atomic<uint32_t> wait_{0};
  /// Next ticket to be notified; every ticket below it (in wrap-around order)
  /// has been.  Written under lock_, read without it by the fast paths.
  std::atomic<uint32_t> notify_{0};
  /// Protects notify_ updates and the waiter queue.
  Lock lock_;
  /// Parked waiters, in the order they queued (not strictly ticket order: a
  /// goroutine may queue after one that took a later ticket).  Under lock_.
  NotifyWaiter* head_ = nullptr;
  NotifyWaiter* tail_ = nullptr;
};

}  // namespace gort::runtime
