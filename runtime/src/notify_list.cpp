// notify_list.cpp — the wait list under sync.Cond (mirrors notifyList in sema.go).
//
// Model: two counters and a queue.  add() hands out tickets from wait_; notify_
// is the oldest ticket not yet notified.  A ticket t is notified once t precedes
// notify_ (compared modulo 2^32, so the counters may wrap).  A waiter queues a
// NotifyWaiter on its own stack under lock_ and parks; park's unlockf releases
// lock_ once the goroutine is off its stack, so a notifier that finds the
// waiter in the queue can ready it at once.
//
// Invariants: every queued waiter's ticket is >= notify_ when it queues (it
// checks under lock_); notify_one removes exactly the waiter holding ticket
// notify_ (if it has queued; if not, it will see its ticket is notified and not
// park); notify_all moves notify_ to wait_ and empties the queue.  Waiters are
// readied outside lock_, with their entry already unlinked, so a woken waiter's
// stack entry is never touched again.
//
// Rejected: a FIFO of waiters woken in queue order (signal would wake whoever
// queued first, not the oldest ticket, and a signal sent before the waiter
// queued would be lost or need a counter anyway).
#include <gort/runtime/internal/mprof.hpp>
#include <gort/runtime/internal/notify_list.hpp>
#include <gort/runtime/internal/park.hpp>

namespace gort::runtime {

/// A goroutine parked on a NotifyList; lives on its stack (Go uses a sudog).
struct NotifyWaiter {
  G* g;
  uint32_t ticket;
  NotifyWaiter* next = nullptr;
  /// Block profile (mirrors sudog.releasetime): -1 asks the notifier for the
  /// time it readied the waiter (readyWithTime); 0 when the profile is off.
  int64_t releasetime = 0;
};

namespace {
/// Stamps w's release time when its waiter asked for one; before ready, while
/// w is still alive.
void set_release_time(NotifyWaiter* w) {
  if (w->releasetime != 0) w->releasetime = prof_nanotime();
}
}  // namespace

namespace {

/// a precedes b, modulo 2^32 (mirrors less in sema.go).
bool ticket_less(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }

bool unlock_list(G*, void* arg) {
  static_cast<Lock*>(arg)->unlock();
  return true;
}

}  // namespace

// mirrors notifyListAdd
uint32_t NotifyList::add() { return wait_.fetch_add(1, std::memory_order_acq_rel); }

// mirrors notifyListWait
void NotifyList::wait(uint32_t ticket) {
  lock_.lock();
  if (ticket_less(ticket, notify_.load(std::memory_order_relaxed))) {
    lock_.unlock();
    return;
  }
  NotifyWaiter w{current_g(), ticket};
  int64_t t0 = 0;
  if (block_profile_rate() > 0) {
    t0 = prof_nanotime();
    w.releasetime = -1;
  }
  if (tail_ == nullptr) head_ = &w; else tail_->next = &w;
  tail_ = &w;
  park(WaitReason::SyncCondWait, &unlock_list, &lock_);
  if (w.releasetime > 0) block_event(w.releasetime - t0);
}

// mirrors notifyListNotifyAll
void NotifyList::notify_all() {
  // No new waiters since the last notification: nothing to do, no lock taken.
  if (wait_.load(std::memory_order_acquire) == notify_.load(std::memory_order_acquire)) return;
  lock_.lock();
  NotifyWaiter* w = head_;
  head_ = tail_ = nullptr;
  // Every ticket handed out so far is notified: those not yet queued will see
  // it in wait() and not park.
  notify_.store(wait_.load(std::memory_order_acquire), std::memory_order_release);
  lock_.unlock();
  while (w != nullptr) {
    NotifyWaiter* next = w->next;  // read before ready: w dies once its goroutine runs
    set_release_time(w);
    ready(w->g);
    w = next;
  }
}

// mirrors notifyListNotifyOne
void NotifyList::notify_one() {
  if (wait_.load(std::memory_order_acquire) == notify_.load(std::memory_order_acquire)) return;
  lock_.lock();
  const uint32_t t = notify_.load(std::memory_order_relaxed);
  if (t == wait_.load(std::memory_order_acquire)) {
    lock_.unlock();
    return;
  }
  notify_.store(t + 1, std::memory_order_release);
  // The waiter holding ticket t is near the front: it is behind others only
  // as far as it lost the race to queue.  If it has not queued yet, it will
  // see t notified and not park.
  for (NotifyWaiter *prev = nullptr, *w = head_; w != nullptr; prev = w, w = w->next) {
    if (w->ticket != t) continue;
    if (prev != nullptr) prev->next = w->next; else head_ = w->next;
    if (w->next == nullptr) tail_ = prev;
    set_release_time(w);
    G* gp = w->g;
    lock_.unlock();
    ready(gp);
    return;
  }
  lock_.unlock();
}

}  // namespace gort::runtime
