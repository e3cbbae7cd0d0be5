// report.hpp — the Markdown report and the CDF plot of schedule-forensics.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "results.hpp"

namespace schedlab {

/// What the report says besides the measurements.
struct ReportContext {
  /// The command line as run.
  std::string command;
  /// The machine (lab::machine_description).
  std::string machine;
  /// Where the plot went, or why it was not drawn.
  std::string plot_note;
  /// Where the trace went (empty: no trace).
  std::string trace_path;
  /// Why the Go twin did not run, when it was asked for and failed.
  std::string go_note;
};

/// The whole Markdown report over every runtime's runs (gort first).
std::string markdown_report(const ReportContext& ctx, const std::vector<RuntimeRuns>& all);

/// Draws the CDF of completion times of every variant of every runtime into an
/// SVG at path; returns an error text or "" on success.
std::string write_cdf_svg(const std::vector<RuntimeRuns>& all, const std::string& path);

}  // namespace schedlab
