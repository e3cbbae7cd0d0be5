// time.cpp — channel timers (mirrors Timer, Ticker, After, Tick and sendTime in
// golang/go src/time/sleep.go and tick.go) on the runtime's timers.
//
// Model.  Every Timer, Ticker, after() and tick() has a TimerState: a runtime
// timer, the channel (capacity 1) and a reference count.  The timer's
// function (send_time) does a non-blocking send of the current time, so a
// slow receiver misses ticks instead of blocking the runtime.
//
// Lifetime without a garbage collector.  Go keeps a timer alive for as long as
// the runtime may still call its function; here that is a counted reference:
//   - the handle (Timer/Ticker) owns one reference; after() and tick() own
//     none beyond the arming;
//   - every arming owns one reference, which passes to send_time when the
//     runtime pops the timer, or back to whoever disarms it (deltimer true),
//     or on to the next arming when a reset re-arms it (modtimer true).
// Exactly one of "send_time runs", "a stop disarmed it" and "a reset replaced
// it" consumes each arming's reference, so the state is freed only when
// neither the handle nor a pending or running firing can touch it.  A Ticker
// is therefore not a periodic runtime timer (whose function runs while it
// stays armed, so a stop could free it mid-call) but a one-shot timer re-armed
// by send_time itself, at the next multiple of the period after now, like Go's
// runOneTimer.  `lock` serialises that re-arming against a Ticker's stop and
// reset.
//
// Concurrent use.  stop and reset may be called from many goroutines at once
// (a server resetting one idle timeout from every handler): the runtime makes
// each deltimer and modtimer one step, so the timer is armed at most once and
// the rules above hold without a lock here for a Timer.
//
// Timers still armed when the runtime ends are discarded (RuntimeTimer::
// on_discard), which drops their arming reference.
#include <gort/panic.hpp>
#include <gort/runtime/internal/lock.hpp>
#include <gort/runtime/internal/timer.hpp>
#include <gort/time.hpp>

#include <atomic>

namespace gort {

namespace detail {

struct TimerState {
  /// The runtime timer; armed at most once at a time.
  runtime::RuntimeTimer timer;
  /// Where the fire time goes: capacity 1, as Go's.
  Chan<TimePoint> c = make_chan<TimePoint>(1);
  /// True for a Ticker or tick(): send_time re-arms it.  Immutable.
  bool ticker = false;
  /// Tick period in ns.  Under lock (a Ticker's reset changes it).
  int64_t period = 0;
  /// Set by Ticker::stop: send_time must not re-arm.
  bool stopped = false;
  /// Serialises re-arming (send_time) against stop/reset of a Ticker.
  runtime::Lock lock;
  /// Handle + armings (see the top of this file).
  std::atomic<int32_t> refs{0};
};

void timer_state_release(TimerState* s) noexcept {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete s;
}

}  // namespace detail

namespace {

using detail::TimerState;

TimePoint now() { return TimePoint(std::chrono::nanoseconds(runtime::nanotime_now())); }

/// Arms s's timer to fire at `when`, taking a reference for the arming.
/// Precondition: the timer is not armed.
void arm(TimerState* s, int64_t when) {
  s->refs.fetch_add(1, std::memory_order_relaxed);
  s->timer.when = when;
  runtime::addtimer(&s->timer);
}

/// Disarms s's timer; if that worked, drops the arming's reference.  Returns
/// whether the timer was armed.  Any goroutine, concurrently.
bool disarm(TimerState* s) {
  if (!runtime::deltimer(&s->timer)) return false;
  detail::timer_state_release(s);  // the handle still holds one: never the last
  return true;
}

/// Re-arms s's timer to fire at `when`, armed or not (mirrors resetTimer);
/// returns whether it was armed.  The new arming's reference is taken first
/// (the timer may fire at once); a replaced arming's reference passes to the
/// new one, so the spare is dropped.  Precondition: the caller holds the
/// handle's reference.  Any goroutine, concurrently.
bool rearm(TimerState* s, int64_t when) {
  s->refs.fetch_add(1, std::memory_order_relaxed);
  const bool was_armed = runtime::modtimer(&s->timer, when, 0);
  if (was_armed) detail::timer_state_release(s);  // never the last: the handle's remains
  return was_armed;
}

/// When a timer started now should fire after d (Go's when(d)): at once for
/// d <= 0, saturating instead of overflowing for huge d.
int64_t when_after(std::chrono::nanoseconds d) {
  const int64_t t = runtime::nanotime_now();
  if (d.count() <= 0) return t;
  if (d.count() > INT64_MAX - t) return INT64_MAX;
  return t + d.count();
}

// mirrors sendTime in sleep.go, plus the re-arming of a ticker (runOneTimer).
void send_time(void* arg, uintptr_t, int64_t delay) {
  auto* s = static_cast<TimerState*>(arg);
  s->c.try_send(now());  // drop the tick if the buffer is full, as Go does
  if (s->ticker) {
    s->lock.lock();
    // A reset while this firing was in flight armed the timer again: then
    // it is not ours to re-arm.
    const bool armed = __atomic_load_n(&s->timer.pp, __ATOMIC_ACQUIRE) != nullptr;
    if (!s->stopped && !armed) {
      // Next multiple of the period after now; the arming's reference moves on.
      const int64_t late_periods = delay / s->period;
      s->timer.when += s->period * (1 + late_periods);
      runtime::addtimer(&s->timer);
      s->lock.unlock();
      return;
    }
    s->lock.unlock();
  }
  detail::timer_state_release(s);  // this firing's arming reference
}

/// Stops s for good (no re-arming, armed timer removed).
void stop_for_good(TimerState* s) {
  s->lock.lock();
  s->stopped = true;
  disarm(s);
  s->lock.unlock();
}

void discard_arming(runtime::RuntimeTimer* t) {
  detail::timer_state_release(static_cast<TimerState*>(t->arg));
}

/// A new state with one reference for a handle (handle_refs 1) or none.
TimerState* new_state(int64_t period, int32_t handle_refs) {
  auto* s = new TimerState();
  s->ticker = period > 0;
  s->period = period;
  s->refs.store(handle_refs, std::memory_order_relaxed);
  s->timer.f = &send_time;
  s->timer.arg = s;
  s->timer.on_discard = &discard_arming;
  return s;
}

[[noreturn]] void panic_non_positive(const char* what) { throw Panic(std::string("non-positive interval for ") + what); }

}  // namespace

void detail::stop_and_release(TimerState* s) noexcept {
  stop_for_good(s);
  timer_state_release(s);
}

int32_t detail::timer_references(const Timer& t) noexcept { return t.state_->refs.load(std::memory_order_acquire); }

int32_t detail::timer_references(const Ticker& t) noexcept { return t.state_->refs.load(std::memory_order_acquire); }

Timer::Timer(std::chrono::nanoseconds d) : state_(new_state(0, 1)) { arm(state_.get(), when_after(d)); }

const Chan<TimePoint>& Timer::c() const noexcept { return state_->c; }

bool Timer::stop() { return disarm(state_.get()); }

bool Timer::reset(std::chrono::nanoseconds d) { return rearm(state_.get(), when_after(d)); }

Ticker::Ticker(std::chrono::nanoseconds period) {
  if (period.count() <= 0) panic_non_positive("NewTicker");
  state_.reset(new_state(period.count(), 1));
  arm(state_.get(), when_after(period));
}

const Chan<TimePoint>& Ticker::c() const noexcept { return state_->c; }

void Ticker::stop() { stop_for_good(state_.get()); }

void Ticker::reset(std::chrono::nanoseconds period) {
  if (period.count() <= 0) panic_non_positive("Ticker.Reset");
  TimerState* s = state_.get();
  s->lock.lock();
  s->period = period.count();
  s->stopped = false;
  // A firing in flight (popped, send_time not yet at its lock) finds the
  // timer armed again and will not re-arm it; it just drops its reference.
  rearm(s, when_after(period));
  s->lock.unlock();
}

Chan<TimePoint> after(std::chrono::nanoseconds d) {
  TimerState* s = new_state(0, 0);
  Chan<TimePoint> c = s->c;
  arm(s, when_after(d));  // the arming's reference is the only one
  return c;
}

Chan<TimePoint> tick(std::chrono::nanoseconds period) {
  if (period.count() <= 0) return Chan<TimePoint>();
  TimerState* s = new_state(period.count(), 0);
  Chan<TimePoint> c = s->c;
  arm(s, when_after(period));
  return c;
}

}  // namespace gort
