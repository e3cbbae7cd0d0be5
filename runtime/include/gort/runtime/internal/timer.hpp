// gort/runtime/internal/timer.hpp — runtime timers, for sleep, channels' after/tick,
// Timer/Ticker and context deadlines (mirrors the timer API of time.go).
//
// A RuntimeTimer lives in the memory of whoever owns it (a G record, a Timer
// object) and, while armed, in the 4-ary heap of exactly one P.  addtimer,
// deltimer and modtimer may be called on one timer from any goroutines and
// threads at once, also while it fires: each runs under the timer's own lock,
// so one modtimer's removal and re-insertion are never interleaved with
// another change (Go's timerModifying state).  Its function runs on
// an M of the runtime, at a schedule point of the P holding it or of a P that
// finds it expired while looking for work, never under a runtime lock; it must
// not block (it typically readies a goroutine or sends without blocking).  It
// may start a goroutine with gort::go (Go's goFunc for time.AfterFunc), even
// when it runs on an M without a P: the goroutine then waits on the global run
// queue.
#pragma once

#include <cstdint>

#include <gort/runtime/internal/lock.hpp>

namespace gort::runtime {

struct P;

/// Called when the timer fires: arg and seq as set, delay = how late it runs (ns).
using TimerFn = void (*)(void* arg, uintptr_t seq, int64_t delay);

struct RuntimeTimer {
  /// nanotime() at which the timer fires.
  int64_t when = 0;
  /// If > 0, the timer re-arms itself every period ns after firing (tickers).
  int64_t period = 0;
  /// What to run, with its two arguments.
  TimerFn f = nullptr;
  void* arg = nullptr;
  uintptr_t seq = 0;
  /// If set, called with the timer when the runtime is torn down while the
  /// timer is still armed (it will never fire): lets an owner that frees its
  /// timer from f (one-shot timers owned by nobody else) free it here instead.
  void (*on_discard)(RuntimeTimer* t) = nullptr;
  /// The P whose heap holds the timer, null when not armed.  Owned by the runtime.
  P* pp = nullptr;
  /// Position in that heap.  Owned by the runtime.
  int32_t index = -1;
  /// Held by addtimer, deltimer and modtimer for the whole change (mirrors
  /// Go 1.19's timerModifying state, which makes concurrent changers wait;
  /// Go 1.23's timer.mu).  Taken before a P's timers lock.  Owned by the runtime.
  Lock mu;
};

/// Arms t (t->when, f, arg, seq, period set by the caller) on the calling
/// thread's P (or P 0 from outside the runtime).  Precondition: t is not armed
/// (an armed t is a fatal error, as Go's "addtimer called with initialized
/// timer"), and nothing changes t's fields concurrently.  Once t is in the
/// heap addtimer no longer touches it, so t's function may free it.  Any thread.
void addtimer(RuntimeTimer* t);

/// Disarms t; returns true if it was armed (and so will not fire).  Safe from any
/// thread, concurrently with the timer firing (then returns false) and with
/// other deltimer and modtimer calls on t (mirrors deltimer).
bool deltimer(RuntimeTimer* t);

/// Re-arms t to fire at when (and every period after, if > 0) on the calling
/// thread's P, armed or not; returns whether it was armed before, that arming
/// now never firing (mirrors modtimer / resettimer).  Safe from any thread,
/// concurrently with the timer firing and with other deltimer and modtimer
/// calls on t: afterwards t is in exactly one heap.
bool modtimer(RuntimeTimer* t, int64_t when, int64_t period);

/// The runtime's monotonic clock in nanoseconds (Go's nanotime).
int64_t nanotime_now();

}  // namespace gort::runtime
