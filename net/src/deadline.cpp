// deadline.cpp — wall-clock deadlines converted to the runtime's monotonic
// clock, as Go's setDeadlineImpl (internal/poll/fd_poll_runtime.go) passes
// time.Until(t) and poll_runtime_pollSetDeadline adds nanotime(): a deadline is
// fixed when it is set, so a later wall-clock step does not move it.
#include "deadline.hpp"

#include <limits>

#include <gort/runtime/internal/timer.hpp>

namespace gort::net::detail {

namespace {

/// now + rel on the runtime clock, at least 1 (0 means none), saturated.
int64_t from_now(int64_t rel) {
  const int64_t now = runtime::nanotime_now();
  if (rel > std::numeric_limits<int64_t>::max() - now) return std::numeric_limits<int64_t>::max();
  const int64_t d = now + rel;
  return d > 0 ? d : 1;
}

}  // namespace

int64_t runtime_deadline(std::chrono::system_clock::time_point t) {
  using std::chrono::nanoseconds;
  if (t == std::chrono::system_clock::time_point{}) return 0;
  const auto now = std::chrono::system_clock::now();
  // Compare before subtracting: time_point::max() - now would overflow.
  if (t >= now + std::chrono::hours(24 * 365 * 100)) return std::numeric_limits<int64_t>::max();
  if (t <= now) return from_now(-1);  // already passed: waits fail at once
  return from_now(std::chrono::duration_cast<nanoseconds>(t - now).count());
}

int64_t runtime_deadline_after(std::chrono::nanoseconds d) { return d.count() <= 0 ? 0 : from_now(d.count()); }

}  // namespace gort::net::detail
