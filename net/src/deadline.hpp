// deadline.hpp — wall-clock deadlines on the runtime's clock.  See deadline.cpp.
#pragma once

#include <chrono>
#include <cstdint>

namespace gort::net::detail {

/// t as a deadline for poll_set_deadline (mirrors setDeadlineImpl's time.Until):
/// runtime::nanotime_now() + (t - now), 0 for time_point{} (no deadline), never 0 for
/// a set one (a past t stays in the past), saturated far in the future.
int64_t runtime_deadline(std::chrono::system_clock::time_point t);

/// The deadline d from now on the runtime clock, 0 when d <= 0 (no limit).
int64_t runtime_deadline_after(std::chrono::nanoseconds d);

}  // namespace gort::net::detail
