// timers.cpp — runtime timers on per-P 4-ary heaps (mirrors time.go).
//
// Each P keeps the timers armed on it in a 4-ary min-heap ordered by `when`
// (4-ary: half the depth of a binary heap and the four children share a cache
// line, Go's choice).  timer0_when mirrors the root so the scheduler can tell
// with one load whether anything is due.
//
// Where timers run.  A P runs its own expired timers whenever it schedules
// (pick_fast in proc.cpp, Go's checkTimers in schedule), so timers fire on time
// while the P is busy with short-lived goroutines.  A P that is idle has no M;
// instead one idle M blocks in the network poller until the earliest timer of
// all Ps (find_runnable, netpoll.cpp) and then runs it; a timer added earlier
// than that M's wake-up breaks its wait (wake_for_timer), and an M looking for
// work runs other Ps' expired timers on its last stealing pass (Go 1.19's
// stealWork), so a timer on a P whose goroutine computes for a long time still
// fires, from another P.
//
// Changing a timer.  addtimer, deltimer and modtimer may be called on one
// timer from many goroutines at once (a server resetting one idle timeout from
// every handler), and a timer may fire meanwhile.  Each change holds the
// timer's own lock (RuntimeTimer::mu) from start to end, so modtimer's
// removal and re-insertion form one step: without it two modtimers could both
// find the timer disarmed and both insert it, leaving it in two heaps.  Heap
// membership (pp, index, the heap itself) is under the P's timers_lock, taken
// after the timer's; check_timers and move_timers take only P locks, so a
// timer fires (is popped) between two changes, never inside one.  A change
// that inserts the timer releases its lock before the P's: once in a heap the
// timer may fire and its function free it.  Invariant: a timer is in at most
// one heap, and pp names it.
//
// Simplification against Go 1.19: Go changes timers with a lock-free status
// state machine (timerWaiting, timerModifying, timerModifiedEarlier, ...) and
// removes deleted timers lazily.  gort's per-timer lock plays the part of
// timerModifying (concurrent changers wait for the one in progress); it takes
// the owning P's timers_lock for every change and removes timers eagerly; a
// timer records its P and heap index so deltimer is O(log n).  Fewer states to
// get wrong, at the price of two locks per change (Go 1.23 also moved to a
// lock per timer).
#include <gort/runtime/internal/timer.hpp>

#include <algorithm>
#include <limits>

#include "crash.hpp"
#include "current.hpp"
#include "nanotime.hpp"
#include "netpoll_sched.hpp"
#include "sched.hpp"
#include "trace_runtime.hpp"

namespace gort::runtime {

namespace {

/// The heap's arity (Go's 4-ary timer heap).
constexpr std::size_t kArity = 4;

void set_index(std::vector<RuntimeTimer*>& h, std::size_t i) { h[i]->index = static_cast<int32_t>(i); }

void siftup(std::vector<RuntimeTimer*>& h, std::size_t i) {
  RuntimeTimer* t = h[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / kArity;
    if (t->when >= h[parent]->when) break;
    h[i] = h[parent];
    set_index(h, i);
    i = parent;
  }
  h[i] = t;
  set_index(h, i);
}

void siftdown(std::vector<RuntimeTimer*>& h, std::size_t i) {
  const std::size_t n = h.size();
  RuntimeTimer* t = h[i];
  for (;;) {
    const std::size_t first = i * kArity + 1;
    if (first >= n) break;
    std::size_t best = first;
    const std::size_t last = std::min(first + kArity, n);
    for (std::size_t c = first + 1; c < last; ++c) {
      if (h[c]->when < h[best]->when) best = c;
    }
    if (h[best]->when >= t->when) break;
    h[i] = h[best];
    set_index(h, i);
    i = best;
  }
  h[i] = t;
  set_index(h, i);
}

void update_timer0(P* pp) {
  pp->timer0_when.store(pp->timers.empty() ? 0 : pp->timers[0]->when, std::memory_order_release);
}

/// Inserts t into pp's heap.  Caller holds pp->timers_lock.
void heap_add(P* pp, RuntimeTimer* t) {
  __atomic_store_n(&t->pp, pp, __ATOMIC_RELEASE);
  pp->timers.push_back(t);
  siftup(pp->timers, pp->timers.size() - 1);
  update_timer0(pp);
}

/// Removes t from its P's heap.  Caller holds t->pp->timers_lock.
void heap_remove(RuntimeTimer* t) {
  P* pp = t->pp;
  auto& h = pp->timers;
  const std::size_t i = static_cast<std::size_t>(t->index);
  const std::size_t last = h.size() - 1;
  if (i != last) {
    h[i] = h[last];
    set_index(h, i);
  }
  h.pop_back();
  if (i < h.size()) {
    siftdown(h, i);
    siftup(h, static_cast<std::size_t>(h[i]->index));
  }
  t->index = -1;
  // Last: from here a changer that finds pp null owns t's fields (check_timers).
  __atomic_store_n(&t->pp, static_cast<P*>(nullptr), __ATOMIC_RELEASE);
  update_timer0(pp);
}

/// Inserts t into the calling thread's P's heap (P 0 from outside the
/// runtime), releases t->mu and returns t's `when`, for wake_for_timer.
/// Caller holds t->mu; t is in no heap.
int64_t add_and_unlock(RuntimeTimer* t) {
  P* pp = current_p();
  if (pp == nullptr) pp = allp[0].load(std::memory_order_acquire);
  LockGuard g(pp->timers_lock);
  heap_add(pp, t);
  // Read `when` and release t->mu under the P's lock: once that is released
  // the timer may fire on another M, and its function may re-arm it
  // (gort::sleep rewrites the same record) or free it (after()'s timer).
  const int64_t when = t->when;
  t->mu.unlock();
  return when;
}

/// Removes t from the heap holding it, if any; returns whether one did.
/// Caller holds t->mu, so only check_timers (popping it) and move_timers
/// (moving it) change its heap meanwhile.
bool del_locked(RuntimeTimer* t) {
  for (;;) {
    P* pp = __atomic_load_n(&t->pp, __ATOMIC_ACQUIRE);
    if (pp == nullptr) return false;
    LockGuard g(pp->timers_lock);
    if (__atomic_load_n(&t->pp, __ATOMIC_ACQUIRE) != pp) continue;  // moved or fired meanwhile
    heap_remove(t);
    return true;
  }
}

}  // namespace

// mirrors wakeNetPoller
void wake_for_timer(int64_t when) {
  if (sched.lastpoll.load(std::memory_order_seq_cst) == 0) {
    const int64_t until = sched.poll_until.load(std::memory_order_seq_cst);
    if (until == 0 || until > when) netpoll_break();
  } else {
    wakep();  // no M in the poller: get one there (or running) to handle the timer
  }
}

int64_t nanotime_now() { return nanotime(); }

// mirrors addtimer
void addtimer(RuntimeTimer* t) {
  t->mu.lock();
  if (__atomic_load_n(&t->pp, __ATOMIC_ACQUIRE) != nullptr) gothrow("addtimer called with initialized timer");
  wake_for_timer(add_and_unlock(t));
}

// mirrors deltimer
bool deltimer(RuntimeTimer* t) {
  LockGuard g(t->mu);
  return del_locked(t);
}

// mirrors modtimer: the removal and the new insertion are one step under t->mu
// (Go's timerModifying), so concurrent calls leave t in exactly one heap.
bool modtimer(RuntimeTimer* t, int64_t when, int64_t period) {
  t->mu.lock();
  const bool pending = del_locked(t);
  t->when = when;
  t->period = period;
  wake_for_timer(add_and_unlock(t));
  return pending;
}

int check_timers(P* pp, int64_t now) {
  int ran = 0;
  while (timers_due(pp, now)) {
    pp->timers_lock.lock();
    if (pp->timers.empty() || pp->timers[0]->when > now) {
      pp->timers_lock.unlock();
      break;
    }
    RuntimeTimer* t = pp->timers[0];
    const int64_t delay = now - t->when;
    TimerFn f = t->f;
    void* arg = t->arg;
    const uintptr_t seq = t->seq;
    if (t->period > 0) {
      // Re-arm a ticker at its next multiple of period after now, in place
      // (runOneTimer): it never leaves the heap, so a deltimer meanwhile
      // finds it armed.
      t->when += t->period * (1 + (now - t->when) / t->period);
      siftdown(pp->timers, 0);
      update_timer0(pp);
    } else {
      // Last touch of t: once heap_remove publishes pp == null, a modtimer
      // on another thread may rewrite it.
      heap_remove(t);
    }
    pp->timers_lock.unlock();
    trace_simple(Ev::TimerFire, uint64_t(delay));
    f(arg, seq, delay);  // without the lock: f may arm timers itself
    ++ran;
  }
  return ran;
}

int64_t next_timer_when() {
  int64_t next = 0;
  const int32_t procs = gomaxprocs();
  for (int32_t i = 0; i < procs; ++i) {
    P* pp = allp[i].load(std::memory_order_acquire);
    const int64_t w = pp != nullptr ? pp->timer0_when.load(std::memory_order_seq_cst) : 0;
    if (w != 0 && (next == 0 || w < next)) next = w;
  }
  return next;
}

void move_timers(P* from, P* to) {
  LockGuard a(from->timers_lock);
  LockGuard b(to->timers_lock);
  for (RuntimeTimer* t : from->timers) heap_add(to, t);
  from->timers.clear();
  update_timer0(from);
}

void timers_clear_all() {
  for (auto& slot : allp) {
    P* pp = slot.load();
    if (pp == nullptr) continue;
    std::vector<RuntimeTimer*> discarded;
    {
      LockGuard g(pp->timers_lock);
      for (RuntimeTimer* t : pp->timers) {
        __atomic_store_n(&t->pp, static_cast<P*>(nullptr), __ATOMIC_RELEASE);
        t->index = -1;
      }
      discarded.swap(pp->timers);
      update_timer0(pp);
    }
    // Without the lock: an owner's on_discard frees the timer.
    for (RuntimeTimer* t : discarded) {
      if (t->on_discard != nullptr) t->on_discard(t);
    }
  }
}

}  // namespace gort::runtime
