// gort/time.hpp — Go's channel timers: gort::after, gort::tick, gort::Timer and
// gort::Ticker (mirrors time.After, time.Tick, time.NewTimer, time.NewTicker).
//
// Each delivers the time it fired on a channel with a one-element buffer, by a
// non-blocking send from the runtime's timer (Go's sendTime): a tick nobody
// has received yet is dropped, not queued.  Semantics are Go 1.19's: stop does
// not drain the channel, so a value sent just before stop may still be read.
#pragma once

#include <gort/chan.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

namespace gort {

/// The time a timer fired, on the runtime's monotonic clock (CLOCK_MONOTONIC,
/// which is std::chrono::steady_clock on Linux).
using TimePoint = std::chrono::steady_clock::time_point;

class Timer;
class Ticker;

namespace detail {
struct TimerState;
/// Stops a timer whose handle is going away and drops the handle's reference
/// to its shared state (time.cpp).
void stop_and_release(TimerState* s) noexcept;
struct TimerStateRelease {
  void operator()(TimerState* s) const noexcept { stop_and_release(s); }
};
/// References held on a timer's shared state: 1 for the handle plus 1 per
/// arming that has neither fired (its send finished) nor been stopped or
/// reset; for tests and diagnostics.  Any goroutine.
int32_t timer_references(const Timer& t) noexcept;
/// The same for a ticker.
int32_t timer_references(const Ticker& t) noexcept;
}  // namespace detail

/// A single event: after the duration, the current time is sent on c().
/// Movable; destroying a Timer stops it.
class Timer {
 public:
  /// Starts a timer firing once after d (time.NewTimer); d <= 0 fires at once.
  /// Precondition: called from a goroutine.
  explicit Timer(std::chrono::nanoseconds d);

  /// The channel the fire time is sent on (Go's field C).  Precondition: not
  /// moved-from (likewise for the other members).
  const Chan<TimePoint>& c() const noexcept;

  /// Prevents the timer from firing; returns true if that stopped it, false
  /// if it had already fired or been stopped (time.Timer.Stop).
  bool stop();

  /// Re-arms the timer to fire after d; returns true if it was still armed
  /// (time.Timer.Reset).  As in Go 1.19, reset a stopped or drained timer.
  bool reset(std::chrono::nanoseconds d);

 private:
  friend int32_t detail::timer_references(const Timer& t) noexcept;
  std::unique_ptr<detail::TimerState, detail::TimerStateRelease> state_;
};

/// Sends the time on c() every period.  Movable; destroying a Ticker stops it.
class Ticker {
 public:
  /// Starts a ticker (time.NewTicker).  Panics "non-positive interval for
  /// NewTicker" if period <= 0.  Precondition: called from a goroutine.
  explicit Ticker(std::chrono::nanoseconds period);

  /// The channel ticks are sent on (Go's field C).
  const Chan<TimePoint>& c() const noexcept;

  /// Turns the ticker off; no more ticks are sent (time.Ticker.Stop).
  void stop();

  /// Stops the ticker and restarts it with the new period, the next tick one
  /// period from now (time.Ticker.Reset).  Panics "non-positive interval for
  /// Ticker.Reset" if period <= 0.
  void reset(std::chrono::nanoseconds period);

 private:
  friend int32_t detail::timer_references(const Ticker& t) noexcept;
  std::unique_ptr<detail::TimerState, detail::TimerStateRelease> state_;
};

/// Returns a channel that receives the time once, after d (time.After).  The
/// timer cannot be stopped; it is freed once it fired.  Precondition: called
/// from a goroutine.
Chan<TimePoint> after(std::chrono::nanoseconds d);

/// Returns a channel that receives the time every period (time.Tick); a
/// non-positive period returns the nil channel, as Go's returns nil.  The
/// ticker runs until the program ends.  Precondition: called from a goroutine.
Chan<TimePoint> tick(std::chrono::nanoseconds period);

}  // namespace gort
