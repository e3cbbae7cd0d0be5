// netpoll_sched.hpp — the poller as the scheduler sees it (netpoll.cpp): the
// calls findrunnable, sysmon, startTheWorld and the timers make in Go's proc.go.
#pragma once

#include <cstdint>

#include "g.hpp"

namespace gort::runtime {

/// Picks and starts the backend, once per process (GODEBUG=netpoll; the
/// fallback line on stderr).  Called by gort::run before any M starts.
void netpoll_init();

/// Goroutines parked in poll_wait now (mirrors netpollWaiters).
int32_t netpoll_waiters();

/// Polls for ready descriptors, waiting up to delay_ns (< 0: until an event or
/// netpoll_break; 0: not at all), and appends the goroutines to run to *to_run,
/// still in status Waiting, for injectglist; adds to *waiters_delta the change
/// of netpoll_waiters the caller must apply with netpoll_adjust_waiters once
/// they are runnable (mirrors Go 1.22's netpoll).  A non-blocking call returns
/// false at once when another poll is in progress.  Returns whether *to_run is
/// non-empty.  Precondition: holds no runtime lock; a blocking call is made
/// without a P.
bool netpoll(int64_t delay_ns, GList* to_run, int32_t* waiters_delta);

/// Applies a poll's waiter change (mirrors netpollAdjustWaiters).  Called after
/// the polled goroutines were made runnable: until then they must count as
/// waiting, or checkdead, run by the last M to go idle while sysmon injects
/// them, would find every goroutine asleep and no one waiting on the network.
void netpoll_adjust_waiters(int32_t delta);

/// Wakes the M blocked in netpoll, if any (mirrors netpollBreak).  Any thread.
void netpoll_break();

/// Forgets every parked goroutine at teardown: the next run of the runtime
/// must not be handed goroutines of this one by a late event.
/// Precondition: every M has stopped.
void netpoll_abandon_waiters();

/// Makes every goroutine of list runnable (status Waiting, from the poller)
/// and starts Ms for them (mirrors injectglist).  Any M, with or without a P.
void injectglist(GList* list);

}  // namespace gort::runtime
