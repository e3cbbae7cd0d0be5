// analysis/gc.hpp — the collector as the trace saw it: cycles, stop-the-world
// pauses (with their reasons and a distribution), and the CPU time the mark
// took from mutators (assists) and from Ps (mark workers, per kind), plus
// sweeping.
//
// Go shows the same in cmd/trace's GC track and its "GC pauses" view
// (src/cmd/trace/gen.go, the STW and GC ranges of src/internal/trace).
#pragma once

#include "../timeline.hpp"
#include "sched_latency.hpp"

#include <array>
#include <string>
#include <vector>

namespace gort::viewer {

struct PauseInfo {
  int64_t start = 0, end = 0;
  std::string reason;
};

struct GCAnalysis {
  std::vector<GCCycle> cycles;
  std::vector<PauseInfo> pauses;
  Distribution pause_dist;
  int64_t pause_total = 0;
  int64_t assist_total = 0;        // time goroutines ran mark assists
  uint64_t assist_count = 0;       // assist slices
  std::array<int64_t, 3> worker_total{};  // by tf::GCWorkerKind: dedicated, fractional, idle
  int64_t sweep_total = 0;
  uint64_t sweep_count = 0;
  int64_t gc_total = 0;            // time at least one cycle was running
};

GCAnalysis analyze_gc(const Trace& trace, const Timeline& timeline);

}  // namespace gort::viewer
