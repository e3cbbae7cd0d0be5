// summary.cpp — see summary.hpp.
#include "summary.hpp"

#include <algorithm>

namespace gclab {

RunSummary summarize_run(const ScenarioRun& run) {
  const RunResult& r = run.result;
  RunSummary s;
  s.cycles = run.trace.cycles.size();
  for (const GctraceLine& g : run.trace.cycles) {
    if (g.forced) ++s.forced_cycles;
    s.max_goal_mb = std::max(s.max_goal_mb.value_or(0), g.goal_mb);
    s.max_live_mb = std::max(s.max_live_mb.value_or(0), g.heap_marked_mb);
  }
  s.pauses_ns = lab::summarize(std::vector<double>(r.pauses_ns.begin(), r.pauses_ns.end()));
  s.gc_cpu_fraction = r.gc_cpu_fraction;
  s.peak_heap_alloc = r.peak_heap_alloc;
  s.peak_heap_inuse = r.peak_heap_inuse;
  if (r.elapsed_ns > 0) s.requested_rate = static_cast<double>(r.requested_bytes) * 1e9 / static_cast<double>(r.elapsed_ns);
  if (!r.samples.empty() && r.samples.back().t_s > 0) {
    s.total_alloc_rate = static_cast<double>(r.total_alloc_bytes) / r.samples.back().t_s;
  }
  return s;
}

}  // namespace gclab
