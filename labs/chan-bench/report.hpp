// report.hpp — the lab's Markdown report and its two plots.
//
// Sections: (1) throughput per runtime, (2) the ratios the course predicts
// (ring against each channel, mutex queue against the buffered channel),
// (3) gort and Go side by side, (4) the nil-channel toggle, (5) the unbounded
// bridge's memory, (6) the plots.  A part the run left out is said so in its
// section.  Every table is printed by one function, for gort and the Go twin
// alike.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace chanbench {

/// Where the plots went: paths (empty: not requested) and why one could not
/// be drawn.
struct PlotFiles {
  std::string throughput_path;
  std::optional<std::string> throughput_error;
  std::string bridge_path;
  std::optional<std::string> bridge_error;
};

/// The Markdown report.
std::string markdown_report(const LabRun& run, const PlotFiles& plots);

/// Messages per second (log scale) against the variant's number in the lab's
/// order, one line per runtime (Go's dashed).
lab::Plot throughput_plot(const LabRun& run);

/// The bridge's backlog, RSS and HeapAlloc in MiB against seconds, per
/// runtime (Go's dashed).
lab::Plot bridge_plot(const LabRun& run);

}  // namespace chanbench
