// mutex.cpp — sync.Mutex, line for line Go 1.19's src/sync/mutex.go.
//
// Model: one 32-bit state word (locked, woken and starving flags plus the count
// of parked waiters) and a runtime semaphore the waiters park on.  Lock's fast
// path is one CAS (inline in mutex.hpp); everything else is here.
//
// Normal mode.  Waiters queue FIFO on the semaphore, but a woken waiter does
// not own the mutex: it competes with goroutines arriving right now, which are
// already running and usually win.  A loser goes back to the *front* of the
// queue (semacquire lifo).  This is fast: a goroutine can lock and unlock many
// times in a row while others wait.  Before parking, a locker may spin a few
// rounds if the runtime says another P is running (sync_can_spin), and marks
// itself woken so unlock does not wake a waiter needlessly.
//
// Starvation mode.  A waiter that has waited over 1 ms (kStarvationThresholdNs,
// Go's starvationThresholdNs) sets the starving flag when it next queues.  Then
// unlock hands the mutex directly to the waiter at the front (semrelease with
// handoff, which also yields the P to it), arrivals neither spin nor take the
// lock but queue at the tail, and the locked flag stays clear while ownership
// is in transit (the starving flag keeps others out).  The waiter that
// receives ownership sets locked, drops itself from the count and leaves
// starvation mode if it is the last waiter or waited under 1 ms: two goroutines
// could otherwise hand the mutex back and forth in lock step forever.
//
// Invariants: kWoken is set by at most one goroutine at a time, the one allowed
// to wake (an unlocker that grabbed it) or spinning (a locker); a woken locker
// always clears it in its next CAS.  In starvation mode the count is >= 1 while
// ownership is in transit.  Violations are Go's fatal "sync: inconsistent mutex
// state"; unlocking an unlocked mutex is fatal "sync: unlock of unlocked mutex".
//
// Memory order: acquiring CASes are acquire, the unlocking decrement release;
// other RMWs are acq_rel, so a release sequence is never broken between the
// unlocker and the next owner, including across the semaphore handoff.
#include <gort/mutex.hpp>
#include <gort/runtime/internal/fatal.hpp>
#include <gort/runtime/internal/sema.hpp>
#include <gort/runtime/internal/spin.hpp>
#include <gort/runtime/internal/timer.hpp>

namespace gort {

namespace {

/// A waiter that waited longer than this switches the mutex to starvation mode
/// (Go's starvationThresholdNs = 1e6): long enough that normal mode's barging,
/// which is much faster, rarely costs a waiter that much, short enough to
/// bound tail latency.
constexpr int64_t kStarvationThresholdNs = 1'000'000;

}  // namespace

// mirrors TryLock
bool Mutex::try_lock() {
  int32_t old = state_.load(std::memory_order_relaxed);
  if ((old & (kLocked | kStarving)) != 0) return false;
  // There may be a waiter, but we are running now and may take the mutex
  // before it wakes up.
  return state_.compare_exchange_strong(old, old | kLocked, std::memory_order_acquire,
                                        std::memory_order_relaxed);
}

// mirrors lockSlow
void Mutex::lock_slow() {
  int64_t wait_start_ns = 0;
  bool starving = false;
  bool awoke = false;
  int iter = 0;
  int32_t old = state_.load(std::memory_order_relaxed);
  for (;;) {
    // Spin only while the mutex is held in normal mode: in starvation mode it is
    // handed to a waiter, so spinning could not get it.
    if ((old & (kLocked | kStarving)) == kLocked && runtime::sync_can_spin(iter)) {
      // Set woken, so that unlock does not wake another waiter while we spin.
      if (!awoke && (old & kWoken) == 0 && (old >> kWaiterShift) != 0 &&
          state_.compare_exchange_strong(old, old | kWoken, std::memory_order_relaxed)) {
        awoke = true;
      }
      runtime::sync_do_spin();
      ++iter;
      old = state_.load(std::memory_order_relaxed);
      continue;
    }
    int32_t desired = old;
    // A starving mutex is not taken by arrivals: they queue.
    if ((old & kStarving) == 0) desired |= kLocked;
    if ((old & (kLocked | kStarving)) != 0) desired += 1 << kWaiterShift;
    // Switch to starvation mode, unless the mutex is unlocked right now: unlock
    // expects a starving mutex to have waiters, which would not hold then.
    if (starving && (old & kLocked) != 0) desired |= kStarving;
    if (awoke) {
      // We were woken (or spun with the flag set): clear it either way.
      if ((desired & kWoken) == 0) runtime::fatal("sync: inconsistent mutex state");
      desired &= ~kWoken;
    }
    if (!state_.compare_exchange_weak(old, desired, std::memory_order_acq_rel, std::memory_order_relaxed)) {
      continue;  // old now holds the current state
    }
    if ((old & (kLocked | kStarving)) == 0) break;  // locked it with the CAS
    // Queued: a goroutine that already waited goes back to the front.
    const bool lifo = wait_start_ns != 0;
    if (wait_start_ns == 0) wait_start_ns = runtime::nanotime_now();
    runtime::semacquire(&sema_, runtime::WaitReason::SyncMutexLock, lifo);
    starving = starving || runtime::nanotime_now() - wait_start_ns > kStarvationThresholdNs;
    old = state_.load(std::memory_order_acquire);
    if ((old & kStarving) != 0) {
      // Ownership was handed to us, but the state still counts us as a waiter
      // and locked is clear: fix both in one add.
      if ((old & (kLocked | kWoken)) != 0 || (old >> kWaiterShift) == 0) {
        runtime::fatal("sync: inconsistent mutex state");
      }
      int32_t delta = kLocked - (1 << kWaiterShift);
      // Leave starvation mode if we did not wait long or are the last waiter.
      if (!starving || (old >> kWaiterShift) == 1) delta -= kStarving;
      state_.fetch_add(delta, std::memory_order_acq_rel);
      break;
    }
    awoke = true;
    iter = 0;
  }
}

// mirrors unlockSlow
void Mutex::unlock_slow(int32_t now) {
  if (((now + kLocked) & kLocked) == 0) runtime::fatal("sync: unlock of unlocked mutex");
  if ((now & kStarving) != 0) {
    // Starvation mode: hand ownership to the first waiter and yield our time
    // slice to it.  Locked stays clear until it runs, but the starving flag
    // keeps arrivals out meanwhile.
    runtime::semrelease(&sema_, true);
    return;
  }
  int32_t old = now;
  for (;;) {
    // Nobody to wake, or someone is already awake or took the lock, or the
    // mutex became starving after our decrement (the handoff is not ours).
    if ((old >> kWaiterShift) == 0 || (old & (kLocked | kWoken | kStarving)) != 0) return;
    // Take the right to wake one waiter.
    const int32_t desired = (old - (1 << kWaiterShift)) | kWoken;
    if (state_.compare_exchange_weak(old, desired, std::memory_order_acq_rel, std::memory_order_relaxed)) {
      runtime::semrelease(&sema_, false);
      return;
    }
  }
}

}  // namespace gort
