// runq.hpp — run queues: the per-P lock-free ring and the global queue.
//
// Mirrors runqput/runqget/runqgrab/runqsteal/runqputslow and globrunqput/
// globrunqget in proc.go.
//
// Local ring.  256 slots indexed by free-running 32-bit head and tail.  Only the
// owner P writes tail (store-release after filling a slot), so put is wait-free;
// the owner and thieves both consume by CAS on head, so a thief that read a
// stale slot simply loses the CAS.  Slots are atomics read relaxed: a thief may
// read a slot the owner is overwriting, and the CAS on head decides whether the
// value it read counts.  A full ring moves half of itself plus the new G to the
// global queue in one batch (runqputslow), which keeps the common put cheap
// and bounds the ring.
//
// runnext.  A G made runnable by the running G (ready, go) goes into runnext and
// runs next, inheriting the rest of the time slice: a producer/consumer pair then
// runs back to back on one P with its data hot in cache.  The displaced runnext
// goes to the tail of the ring.  Thieves take runnext only on their last pass,
// and only after giving its owner ~3 µs to run it, because stealing a G that is
// about to run on a hot cache makes both slower.
//
// Global queue.  A FIFO under sched.lock.  Every 61st schedule on a P takes one
// G from it first (61: prime, so it does not resonate with program patterns, and
// large enough that the lock stays off the fast path), so a P whose local queue
// keeps refilling cannot starve goroutines queued globally.  When the local ring
// is empty a P takes a batch: its fair share (size/GOMAXPROCS + 1), at most half
// a ring.
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

struct G;
struct P;

class LocalRunQueue {
 public:
  /// Ring size (Go: len(p.runq) = 256): a power of two so head/tail wrap freely.
  static constexpr uint32_t kSize = 256;

  /// Number of queued Gs (racy snapshot).
  uint32_t size() const {
    return tail_.load(std::memory_order_acquire) - head_.load(std::memory_order_acquire);
  }

  // The fields are manipulated only by the functions below (runq.cpp).
  /// Next slot to consume; advanced by CAS by the owner and by thieves.
  std::atomic<uint32_t> head_{0};
  /// Next slot to fill; written only by the owner.
  std::atomic<uint32_t> tail_{0};
  std::atomic<G*> slots_[kSize] = {};
};

/// Ring-only put/get and the slow path that spills half the ring to the global
/// queue (runqputslow); building blocks of the functions below.
bool runqput_ring(P* pp, G* gp);
G* runqget_ring(P* pp);
bool runqputslow(P* pp, G* gp, uint32_t h, uint32_t t);
/// Copies half of pp's ring (or its runnext) into dst's ring from dst_tail on,
/// without publishing; returns how many (mirrors runqgrab).
uint32_t runqgrab(P* pp, P* dst, uint32_t dst_tail, bool steal_runnext);

/// Puts gp on pp's local queue; with next, into runnext (the old runnext moves to
/// the ring).  Precondition: pp is owned by the caller.
void runqput(P* pp, G* gp, bool next);

/// Takes a G from pp: runnext first (inherit_time = true), then the ring head.
/// Precondition: pp is owned by the caller.
G* runqget(P* pp, bool* inherit_time);

/// True if pp has neither queued Gs nor a runnext (snapshot).
bool runqempty(P* pp);

/// Steals half of p2's queue into pp's, returning one G to run or null; takes
/// p2's runnext only when steal_runnext.  Precondition: pp owned by the caller.
G* runqsteal(P* pp, P* p2, bool steal_runnext);

/// Moves every G queued on pp (ring and runnext) to the global queue (procresize).
/// Precondition: the world is stopped; caller holds sched.lock.
void runq_drain_to_global(P* pp);

/// Global queue operations.  Precondition: caller holds sched.lock.
void globrunqput(G* gp);
void globrunqputhead(G* gp);
void globrunqputbatch(G* head, G* tail, int32_t n);
/// Takes up to a fair share (at most max when max > 0) for pp: returns one G and
/// puts the rest on pp's ring.
G* globrunqget(P* pp, int32_t max);

}  // namespace gort::runtime
