// sema.cpp — the runtime semaphore (mirrors semacquire1/semrelease1 in sema.go).
//
// A semaphore is any 32-bit word; its waiters live in a table of 251 buckets
// hashed by address (Go's semTabSize, a prime so addresses with common strides
// spread out), each a lock, a waiter count readable without the lock, and a
// FIFO of waiters.  Go keeps a treap of addresses per bucket so one address
// with many waiters does not slow others; gort keeps one list per bucket and
// scans it for the address, which is equivalent while buckets are short.
//
// Lost wakeups are impossible because a waiter increments nwait before its last
// check of the word, under the bucket lock, and a releaser that sees nwait == 0
// after its increment knows nobody can be waiting on a stale value.
//
// Handoff (semrelease with handoff, used by a Mutex in starvation mode): the
// releaser takes the count back on the waiter's behalf (its ticket), readies it
// into runnext and goyields, i.e. queues itself at the tail of its own P's
// queue, so the waiter runs at once on this P as Go's semrelease1 does.
//   Rejected: gosched, which queues the releaser globally where any P may pick
//   it up, unlike Go, and costs a sched.lock round trip per handoff.
#include <gort/runtime/internal/mprof.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/sema.hpp>

#include "current.hpp"
#include "lock_futex.hpp"
#include "proc.hpp"
#include "sched.hpp"

namespace gort::runtime {

namespace {

/// A goroutine waiting on a semaphore; lives on the waiter's stack (Go's sudog).
struct SemaWaiter {
  std::atomic<uint32_t>* addr;
  G* g;
  SemaWaiter* next = nullptr;
  SemaWaiter* prev = nullptr;
  /// Set by a handoff release: the count was passed directly to this waiter.
  bool ticket = false;
  /// Block profile (mirrors sudog.releasetime): -1 asks the releaser to store
  /// the time it readied the waiter; 0 when the profile is off.
  int64_t releasetime = 0;
  /// Mutex profile (mirrors sudog.acquiretime): when this waiter's wait for
  /// the lock began, 0 when not profiled.
  int64_t acquiretime = 0;
};

/// Which profiles a wait feeds (mirrors semaProfileFlags), from its reason:
/// the runtime's own semaphores (Semacquire, e.g. the collector's) none, as
/// Go's semacquire; a Mutex or RWMutex both block and mutex profiles, as
/// sync_runtime_SemacquireMutex; every other sync wait the block profile.
struct SemaProfile {
  bool block;
  bool mutex;
};
SemaProfile sema_profile(WaitReason reason) {
  switch (reason) {
    case WaitReason::Semacquire:
      return {false, false};
    case WaitReason::SyncMutexLock:
    case WaitReason::SyncRWMutexLock:
    case WaitReason::SyncRWMutexRLock:
      return {true, true};
    default:
      return {true, false};
  }
}

struct SemaRoot {
  Lock lock;
  SemaWaiter* head = nullptr;
  SemaWaiter* tail = nullptr;
  std::atomic<uint32_t> nwait{0};

  void queue(SemaWaiter* w, bool lifo) {
    if (lifo) {
      w->next = head;
      if (head) head->prev = w; else tail = w;
      head = w;
    } else {
      w->prev = tail;
      if (tail) tail->next = w; else head = w;
      tail = w;
    }
  }
  SemaWaiter* dequeue(std::atomic<uint32_t>* addr) {
    for (SemaWaiter* w = head; w != nullptr; w = w->next) {
      if (w->addr != addr) continue;
      if (w->prev) w->prev->next = w->next; else head = w->next;
      if (w->next) w->next->prev = w->prev; else tail = w->prev;
      return w;
    }
    return nullptr;
  }
};

/// Go's semTabSize.
constexpr std::size_t kSemTabSize = 251;

struct alignas(64) PaddedRoot {
  SemaRoot root;
};
PaddedRoot semtable[kSemTabSize];

SemaRoot* semroot(std::atomic<uint32_t>* addr) {
  return &semtable[(reinterpret_cast<uintptr_t>(addr) >> 3) % kSemTabSize].root;
}

bool cansemacquire(std::atomic<uint32_t>* addr) {
  uint32_t v = addr->load(std::memory_order_acquire);
  while (v != 0) {
    if (addr->compare_exchange_weak(v, v - 1, std::memory_order_acq_rel)) return true;
  }
  return false;
}

bool unlock_root(G*, void* arg) {
  static_cast<SemaRoot*>(arg)->lock.unlock();
  return true;
}

}  // namespace

void semacquire(std::atomic<uint32_t>* addr, WaitReason reason, bool lifo) {
  if (cansemacquire(addr)) return;
  SemaRoot* root = semroot(addr);
  SemaWaiter w{addr, current_g()};
  const SemaProfile profile = sema_profile(reason);
  int64_t t0 = 0;
  if (profile.block && block_profile_rate() > 0) {
    t0 = prof_nanotime();
    w.releasetime = -1;
  }
  if (profile.mutex && mutex_profile_rate() > 0) {
    if (t0 == 0) t0 = prof_nanotime();
    w.acquiretime = t0;
  }
  for (;;) {
    root->lock.lock();
    root->nwait.fetch_add(1);
    if (cansemacquire(addr)) {
      root->nwait.fetch_sub(1);
      root->lock.unlock();
      return;
    }
    root->queue(&w, lifo);
    // The lock is released by park's unlockf once we are off our stack.
    park(reason, &unlock_root, root);
    if (w.ticket || cansemacquire(addr)) {
      if (w.releasetime > 0) block_event(w.releasetime - t0);
      return;
    }
    w.next = w.prev = nullptr;
    lifo = true;  // woken but the count was taken: go back to the front
  }
}

void semrelease(std::atomic<uint32_t>* addr, bool handoff) {
  SemaRoot* root = semroot(addr);
  addr->fetch_add(1, std::memory_order_acq_rel);
  if (root->nwait.load() == 0) return;
  root->lock.lock();
  if (root->nwait.load() == 0) {
    root->lock.unlock();
    return;
  }
  SemaWaiter* w = root->dequeue(addr);
  int64_t waited = -1;
  if (w != nullptr) {
    root->nwait.fetch_sub(1);
    if (w->acquiretime != 0) {
      // The next waiter for the same lock starts waiting for it now: its
      // earlier wait is charged to this release (semrelease1).
      const int64_t t = prof_nanotime();
      for (SemaWaiter* x = root->head; x != nullptr; x = x->next) {
        if (x->addr == addr) {
          x->acquiretime = t;
          break;
        }
      }
      waited = t - w->acquiretime;
    }
  }
  root->lock.unlock();
  if (w == nullptr) return;
  const bool ticket = handoff && cansemacquire(addr);
  w->ticket = ticket;
  if (w->releasetime != 0) w->releasetime = prof_nanotime();  // readyWithTime
  G* gp = w->g;
  // The waiter's wait is charged to the unlocker's stack, this one (mutexevent).
  if (waited >= 0) mutex_event(waited);
  // w lives on gp's stack: once gp is readied it may run, return and reuse that
  // stack, so nothing of w is read after this point.
  ready(gp);
  if (ticket && current_m()->locks == 0) {
    // Direct handoff: ready put gp in runnext; yield to the local queue's tail
    // so gp runs now on this P and inherits the rest of our time slice, rather
    // than a contended semaphore hogging the P (Go issue 33747).
    goyield();
  }
}

}  // namespace gort::runtime
