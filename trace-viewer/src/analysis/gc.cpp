// analysis/gc.cpp — see gc.hpp.
#include "gc.hpp"

namespace gort::viewer {

GCAnalysis analyze_gc(const Trace& trace, const Timeline& tl) {
  GCAnalysis a;
  a.cycles = tl.gc;
  std::vector<int64_t> durations;
  for (const STWPause& p : tl.stw) {
    std::string_view r = trace.string(p.reason);
    a.pauses.push_back(PauseInfo{p.start, p.end,
                                 p.began_before ? std::string("(began before the trace)")
                                 : r.empty()    ? std::string("(unknown)")
                                                : std::string(r)});
    durations.push_back(p.end - p.start);
    a.pause_total += p.end - p.start;
  }
  a.pause_dist = distribution(std::move(durations));
  for (const Goroutine& g : tl.goroutines) {
    for (const GSlice& s : g.slices) {
      if (s.state == SliceState::Assist) {
        a.assist_total += s.end - s.start;
        a.assist_count++;
      }
    }
  }
  for (const Proc& p : tl.procs) {
    for (const PSlice& s : p.slices) {
      if (s.kind == PKind::GCWorker && s.worker_kind < a.worker_total.size()) {
        a.worker_total[s.worker_kind] += s.end - s.start;
      }
    }
  }
  for (const Sweep& s : tl.sweeps) {
    a.sweep_total += s.end - s.start;
    a.sweep_count++;
  }
  for (const GCCycle& c : tl.gc) a.gc_total += c.end - c.start;
  return a;
}

}  // namespace gort::viewer
