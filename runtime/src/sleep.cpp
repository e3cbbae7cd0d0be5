// sleep.cpp — gort::sleep (mirrors timeSleep and resetForSleep in time.go).
//
// The goroutine parks first and arms its timer in park's unlockf, once it is
// off its stack: a timer armed before parking could fire and ready a goroutine
// that is still running.  Each G record carries its own sleep timer, so a sleep
// allocates nothing.
#include <gort/runtime.hpp>
#include <gort/runtime/internal/park.hpp>
#include <gort/runtime/internal/timer.hpp>

#include "current.hpp"
#include "m.hpp"
#include "nanotime.hpp"

#include <limits>

namespace gort::runtime {
namespace {

void sleep_timer_fired(void* arg, uintptr_t, int64_t) { ready(static_cast<G*>(arg)); }

bool arm_sleep_timer(G* gp, void*) {
  addtimer(&gp->sleep_timer);
  return true;
}

}  // namespace
}  // namespace gort::runtime

namespace gort {

void sleep(std::chrono::nanoseconds d) {
  using namespace runtime;
  if (d.count() <= 0) return;  // as time.Sleep: no yield
  G* gp = current_m()->curg;
  RuntimeTimer& t = gp->sleep_timer;
  const int64_t now = nanotime();
  t.when = d.count() > std::numeric_limits<int64_t>::max() - now ? std::numeric_limits<int64_t>::max()
                                                                  : now + d.count();
  t.period = 0;
  t.f = &sleep_timer_fired;
  t.arg = gp;
  park(WaitReason::Sleep, &arm_sleep_timer, nullptr);
}

}  // namespace gort
