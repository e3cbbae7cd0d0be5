// heap_plot.hpp — the heap over time of one GC setting, against its goal and
// its limit: HeapAlloc as a solid line per runtime, NextGC (the goal the pacer
// steers to) dashed, GOMEMLIMIT dashed when set.  The sawtooth between the two
// is the collector at work; its height is GOGC.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "params.hpp"
#include "scenario_run.hpp"

namespace gclab {

/// The plot file of setting s: base with "-gogc100" (and "-memlimit512MiB")
/// inserted before its ".svg" (appended when base has no such extension).
std::string heap_plot_path(const std::string& base, const GcSetting& s);

/// Draws the runs of setting s (gort and, when present, Go) into path.
/// Returns an error text when the plot could not be drawn.
std::optional<std::string> write_heap_plot(const GcSetting& s, const std::vector<const ScenarioRun*>& runs,
                                           const std::string& path);

}  // namespace gclab
