// analysis/mmu.hpp — minimum mutator utilisation (MMU): for a window size w,
// the lowest fraction of the machine that mutators had in any window of
// length w in the trace.
//
// Mirrors Go's src/internal/trace/gc.go (MutatorUtilizationV2 with
// UtilSTW|UtilBackground|UtilAssist, and MMUCurve).  Utilisation at time t is
//   0                          while the world is stopped (STWBegin..STWEnd)
//   1 - gc(t) / GOMAXPROCS(t)  otherwise,
// where gc(t) counts Ps running a mark worker (GCWorkerBegin..End) plus
// goroutines running a mark assist (a running goroutine occupies its P).
// Sweeping is not counted (Go's UtilSweep is off here too).  GOMAXPROCS is the
// latest GoMaxProcs value (the first one also covers the time before it); a
// trace without any uses the number of Ps it saw.
//
// The utilisation is a step function; the mean over a window [t, t+w] is
// piecewise linear in t with corners where t or t+w meets a step, so the
// minimum is at one of those corners: mmu() evaluates all of them with two
// pointers over the steps — exact, O(steps) per window size.
#pragma once

#include "../timeline.hpp"

#include <cstdint>
#include <vector>

namespace gort::viewer {

/// u holds from t until the next point's t (the last point until the end).
struct UtilPoint {
  int64_t t = 0;
  double u = 1;
};

/// The mutator utilisation step function over [0, timeline.duration].
std::vector<UtilPoint> mutator_utilisation(const Timeline& timeline);

/// MMU for one window size; requires 0 < window <= duration.
double mmu(const std::vector<UtilPoint>& util, int64_t duration, int64_t window);

struct MMUPoint {
  int64_t window = 0;
  double mmu = 0;
};

/// MMU at the standard window sizes (100 µs, 1 ms, 10 ms, 100 ms, 1 s, 10 s)
/// that fit in the trace.
std::vector<MMUPoint> analyze_mmu(const Timeline& timeline);

}  // namespace gort::viewer
