// gort/runtime/internal/sudog.hpp — a goroutine waiting in a channel's queue (mirrors
// sudog in runtime2.go and acquireSudog/releaseSudog in proc.go).
//
// A goroutine blocked on a channel is represented in that channel's send or
// receive queue by a Sudog: one for a plain send or receive, one per case for
// a select (so one goroutine may sit in many queues at once, and a channel may
// hold many sudogs of different goroutines).  Sudogs come from a per-P cache,
// refilled from and spilled to a central list, so the blocking path allocates
// nothing in the steady state.  All their memory is returned when the runtime
// is torn down, including sudogs still queued on channels nobody will use again.
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::runtime {

struct G;
struct Sudog;

/// What one blocked channel operation or select shares between its sudogs and
/// its wakers; lives on the blocked goroutine's stack (Go keeps these fields,
/// param and selectDone, in the G).
struct ChanWait {
  /// Set 0 -> 1 by the one waker that wins a select (mirrors g.selectDone):
  /// a waker that loses the race skips the sudog, which its goroutine dequeues.
  std::atomic<uint32_t> select_done{0};
  /// The sudog through which the goroutine was woken (mirrors g.param); set by
  /// the waker under the channel lock before ready(), read after the park.
  Sudog* woken_by = nullptr;
};

struct Sudog {
  /// The waiting goroutine.
  G* g = nullptr;
  /// Neighbours in the channel's wait queue (a doubly linked FIFO).
  Sudog* next = nullptr;
  Sudog* prev = nullptr;
  /// The element: for a sender the value to send, for a receiver the raw
  /// storage to receive into (both on the waiting goroutine's stack).
  void* elem = nullptr;
  /// The channel (hchan) this sudog is queued on.
  void* c = nullptr;
  /// Next sudog of the same select, in lock order (mirrors waitlink).
  Sudog* waitlink = nullptr;
  /// The state shared with the goroutine's other sudogs and its wakers.
  ChanWait* wait = nullptr;
  /// Whether this sudog belongs to a select (wakers must win select_done).
  bool is_select = false;
  /// The block profile's release time (mirrors sudog.releasetime): 0 when the
  /// profile is off; -1 asks the waker to store the time (prof_nanotime) at
  /// which it readied the goroutine, so the delay excludes scheduling.
  int64_t releasetime = 0;
  /// Set by the waker: true if woken by a communication (the value moved),
  /// false if woken because the channel was closed.
  bool success = false;
};

/// Returns a cleared sudog from the calling P's cache (mirrors acquireSudog).
/// Precondition: called from a goroutine.
Sudog* acquire_sudog();

/// Returns s to the calling P's cache (mirrors releaseSudog).  Precondition: s
/// came from acquire_sudog and is on no queue; called from a goroutine.
void release_sudog(Sudog* s);

/// Returns a pseudo-random 32-bit value from the calling M's generator (mirrors
/// fastrand); cheap, not cryptographic.  Precondition: called from a goroutine.
uint32_t fastrand();

/// Returns a pseudo-random value in [0, n) (mirrors fastrandn).  Precondition:
/// called from a goroutine; n > 0.
uint32_t fastrandn(uint32_t n);

}  // namespace gort::runtime
