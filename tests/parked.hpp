// parked.hpp — "goroutine X is now blocked in Y", observed by polling X's
// status and wait reason (bounded), never by sleeping and hoping: for tests
// that must know a goroutine has parked before they act (sync and
// singleflight suites).  Reads runtime internals (runtime/src/g.hpp).
#pragma once

#include <gort/runtime/internal/park.hpp>

#include <atomic>
#include <vector>

#include "g.hpp"
#include "poll_util.hpp"

namespace gort::test {

/// Whether *slot names a goroutine parked with `reason`.  Reads the G's wait
/// reason only after seeing it Waiting (the status store publishes the reason).
/// Dump-style read of another goroutine's record: exempt from TSAN like the
/// runtime's own dumps (dump.cpp).
__attribute__((no_sanitize("thread"))) inline bool is_parked(const std::atomic<runtime::G*>& slot,
                                                              runtime::WaitReason reason) {
  const runtime::G* gp = slot.load(std::memory_order_acquire);
  return gp != nullptr && runtime::readgstatus(gp) == runtime::GStatus::Waiting && gp->waitreason == reason;
}

/// Yields until every goroutine in slots is parked with `reason`, or the poll
/// bound passes; returns whether they all did.  Precondition: called from a
/// goroutine.
inline bool wait_until_parked(const std::vector<std::atomic<runtime::G*>>& slots, runtime::WaitReason reason) {
  return eventually([&] {
    for (const auto& s : slots) {
      if (!is_parked(s, reason)) return false;
    }
    return true;
  });
}

/// wait_until_parked for one goroutine.
inline bool wait_until_parked(const std::atomic<runtime::G*>& slot, runtime::WaitReason reason) {
  return eventually([&] { return is_parked(slot, reason); });
}

}  // namespace gort::test
