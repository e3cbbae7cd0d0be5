// heap_plot.cpp — see heap_plot.hpp.
#include "heap_plot.hpp"

#include <lab/plot.hpp>

#include <algorithm>

#include "units.hpp"

namespace gclab {

namespace {

/// Bytes per plotted unit: the plot is in MiB, the unit gctrace prints.
constexpr double kMiB = 1024.0 * 1024.0;

/// NextGC at or above this means "no goal" (GOGC=off without a limit: Go
/// reports 2^64-1); such samples are left out of the goal line.
constexpr uint64_t kNoGoal = uint64_t{1} << 62;

}  // namespace

std::string heap_plot_path(const std::string& base, const GcSetting& s) {
  const std::string slug = gc_setting_slug(s);
  const std::string ext = ".svg";
  if (base.size() > ext.size() && base.compare(base.size() - ext.size(), ext.size(), ext) == 0) {
    return base.substr(0, base.size() - ext.size()) + slug + ext;
  }
  return base + slug + ext;
}

std::optional<std::string> write_heap_plot(const GcSetting& s, const std::vector<const ScenarioRun*>& runs,
                                           const std::string& path) {
  lab::Plot plot;
  plot.title = "Heap over time, " + gc_setting_label(s);
  plot.xlabel = "seconds since start";
  plot.ylabel = "MiB";
  double t_end = 0;
  for (const ScenarioRun* run : runs) {
    lab::Series heap, goal;
    heap.label = run->result.runtime + " HeapAlloc";
    goal.label = run->result.runtime + " goal (NextGC)";
    goal.dashed = true;
    for (const HeapSample& h : run->result.samples) {
      heap.x.push_back(h.t_s);
      heap.y.push_back(static_cast<double>(h.heap_alloc) / kMiB);
      if (h.next_gc < kNoGoal) {
        goal.x.push_back(h.t_s);
        goal.y.push_back(static_cast<double>(h.next_gc) / kMiB);
      }
      t_end = std::max(t_end, h.t_s);
    }
    plot.series.push_back(std::move(heap));
    if (!goal.x.empty()) plot.series.push_back(std::move(goal));
  }
  if (s.memlimit) {
    lab::Series limit;
    limit.label = "GOMEMLIMIT " + byte_count_text(*s.memlimit);
    limit.dashed = true;
    limit.x = {0, t_end};
    limit.y = {static_cast<double>(*s.memlimit) / kMiB, static_cast<double>(*s.memlimit) / kMiB};
    plot.series.push_back(std::move(limit));
  }
  return lab::write_svg(plot, path);
}

}  // namespace gclab
