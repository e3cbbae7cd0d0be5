// limiter.hpp — the GC CPU limiter (limiter.cpp; mirrors gcCPULimiterState in
// mgclimit.go).
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstdint>

namespace gort::gc::detail {

/// A pause of stw_ns ending at now started (marking) or ended a mark: accounts
/// the window before the pause in the state it ran in and the pause as GC time
/// on every P (startGCTransition/finishGCTransition).
void limiter_transition(bool marking, int64_t now, int64_t stw_ns);
/// Reports assist CPU time (GC) and idle mark time (neither side).
void limiter_add_assist_time(int64_t ns);
void limiter_add_idle_time(int64_t ns);
/// Accumulates the window if 10 ms passed since the last update.  Any thread.
void limiter_update(int64_t now);
/// True while GC has used its 50% of the CPU over the bucket's window: assists
/// are off until the mutator catches up (gcCPULimiter.limiting).
bool limiter_limiting();

}  // namespace gort::gc::detail
