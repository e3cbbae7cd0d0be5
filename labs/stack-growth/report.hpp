// report.hpp — the lab's Markdown report and its time-series plot.
//
// Sections follow the course's steps: (1) depth(n) in one goroutine, (2) the
// same frames spread over many goroutines (stack churn), (3) stack in use over
// time, (4) the overflow report.  Every table is printed by one function per
// kind, for gort and, with --go, for the Go twin alike.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace stacklab {

/// The Markdown report.  `svg_path` is where the plot went (empty: not
/// requested); `svg_error` says why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// StackInuse and RSS over time (MiB, log scale), for gort and the Go twin.
lab::Plot time_series_plot(const LabRun& run);

}  // namespace stacklab
