// runq.cpp — the run queues; the design is in runq.hpp.
#include "runq.hpp"

#include <unistd.h>

#include "p.hpp"
#include "sched.hpp"

namespace gort::runtime {

bool runqempty(P* pp) {
  // Go reads head, tail, runnext and re-checks tail so a G moving from runnext to
  // the ring between the reads is not missed.
  for (;;) {
    uint32_t head = pp->runq.head_.load(std::memory_order_acquire);
    uint32_t tail = pp->runq.tail_.load(std::memory_order_acquire);
    G* runnext = pp->runnext.load(std::memory_order_acquire);
    if (tail == pp->runq.tail_.load(std::memory_order_acquire)) {
      return head == tail && runnext == nullptr;
    }
  }
}

bool runqput_ring(P* pp, G* gp) {
  LocalRunQueue& q = pp->runq;
  for (;;) {
    uint32_t h = q.head_.load(std::memory_order_acquire);
    uint32_t t = q.tail_.load(std::memory_order_relaxed);
    if (t - h < LocalRunQueue::kSize) {
      q.slots_[t % LocalRunQueue::kSize].store(gp, std::memory_order_relaxed);
      q.tail_.store(t + 1, std::memory_order_release);
      return true;
    }
    if (runqputslow(pp, gp, h, t)) return true;
    // The queue is not full any more (a thief took some); retry.
  }
}

void runqput(P* pp, G* gp, bool next) {
  if (next) {
    G* old = pp->runnext.load(std::memory_order_relaxed);
    while (!pp->runnext.compare_exchange_weak(old, gp, std::memory_order_acq_rel)) {
    }
    if (old == nullptr) return;
    gp = old;  // kick the old runnext to the tail of the ring
  }
  runqput_ring(pp, gp);
}

bool runqputslow(P* pp, G* gp, uint32_t h, uint32_t t) {
  LocalRunQueue& q = pp->runq;
  G* batch[LocalRunQueue::kSize / 2 + 1];
  uint32_t n = (t - h) / 2;
  for (uint32_t i = 0; i < n; ++i) batch[i] = q.slots_[(h + i) % LocalRunQueue::kSize].load(std::memory_order_relaxed);
  if (!q.head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) return false;
  batch[n] = gp;
  for (uint32_t i = 0; i < n; ++i) batch[i]->schedlink = batch[i + 1];
  LockGuard g(sched.lock);
  globrunqputbatch(batch[0], batch[n], int32_t(n + 1));
  return true;
}

G* runqget_ring(P* pp) {
  LocalRunQueue& q = pp->runq;
  for (;;) {
    uint32_t h = q.head_.load(std::memory_order_acquire);
    uint32_t t = q.tail_.load(std::memory_order_relaxed);
    if (t == h) return nullptr;
    G* gp = q.slots_[h % LocalRunQueue::kSize].load(std::memory_order_relaxed);
    if (q.head_.compare_exchange_weak(h, h + 1, std::memory_order_acq_rel)) return gp;
  }
}

G* runqget(P* pp, bool* inherit_time) {
  G* next = pp->runnext.load(std::memory_order_relaxed);
  // Only the owner clears runnext to null other than thieves' CAS, so a CAS
  // failure means a thief took it: fall through to the ring.
  if (next != nullptr && pp->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) {
    *inherit_time = true;
    return next;
  }
  *inherit_time = false;
  return runqget_ring(pp);
}

uint32_t runqgrab(P* pp, P* dst, uint32_t dst_tail, bool steal_runnext) {
  LocalRunQueue& q = pp->runq;
  LocalRunQueue& d = dst->runq;
  for (;;) {
    uint32_t h = q.head_.load(std::memory_order_acquire);
    uint32_t t = q.tail_.load(std::memory_order_acquire);
    uint32_t n = t - h;
    n = n - n / 2;
    if (n == 0) {
      if (steal_runnext) {
        G* next = pp->runnext.load(std::memory_order_acquire);
        if (next != nullptr) {
          if (pp->status.load(std::memory_order_relaxed) == PStatus::Running) {
            // pp is running and may be about to schedule its runnext; give it
            // ~3 µs (Go's usleep(3)) rather than steal a G on its way to a hot cache.
            usleep(3);
          }
          if (!pp->runnext.compare_exchange_strong(next, nullptr, std::memory_order_acq_rel)) continue;
          d.slots_[dst_tail % LocalRunQueue::kSize].store(next, std::memory_order_relaxed);
          return 1;
        }
      }
      return 0;
    }
    if (n > LocalRunQueue::kSize / 2) continue;  // inconsistent h and t
    for (uint32_t i = 0; i < n; ++i) {
      G* gp = q.slots_[(h + i) % LocalRunQueue::kSize].load(std::memory_order_relaxed);
      d.slots_[(dst_tail + i) % LocalRunQueue::kSize].store(gp, std::memory_order_relaxed);
    }
    if (q.head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel)) return n;
  }
}

G* runqsteal(P* pp, P* p2, bool steal_runnext) {
  LocalRunQueue& q = pp->runq;
  uint32_t t = q.tail_.load(std::memory_order_relaxed);
  uint32_t n = runqgrab(p2, pp, t, steal_runnext);
  if (n == 0) return nullptr;
  --n;
  G* gp = q.slots_[(t + n) % LocalRunQueue::kSize].load(std::memory_order_relaxed);
  if (n == 0) return gp;
  q.tail_.store(t + n, std::memory_order_release);
  return gp;
}

void runq_drain_to_global(P* pp) {
  for (;;) {
    G* gp = runqget_ring(pp);
    if (gp == nullptr) break;
    globrunqputhead(gp);
  }
  if (G* next = pp->runnext.exchange(nullptr)) globrunqputhead(next);
}

void globrunqput(G* gp) {
  sched.runq.push_back(gp);
  sched.runqsize.store(sched.runqsize.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void globrunqputhead(G* gp) {
  sched.runq.push_front(gp);
  sched.runqsize.store(sched.runqsize.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void globrunqputbatch(G* head, G* tail, int32_t n) {
  sched.runq.push_back_all(head, tail);
  sched.runqsize.store(sched.runqsize.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

G* globrunqget(P* pp, int32_t max) {
  int32_t size = sched.runqsize.load(std::memory_order_relaxed);
  if (size == 0) return nullptr;
  int32_t n = size / gomaxprocs() + 1;
  if (n > size) n = size;
  if (max > 0 && n > max) n = max;
  if (n > int32_t(LocalRunQueue::kSize / 2)) n = LocalRunQueue::kSize / 2;
  sched.runqsize.store(size - n, std::memory_order_relaxed);
  G* gp = sched.runq.pop();
  for (--n; n > 0; --n) runqput_ring(pp, sched.runq.pop());
  return gp;
}

}  // namespace gort::runtime
