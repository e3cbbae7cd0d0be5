// report.hpp — the Markdown report and the plot of a lab run.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace survival {

/// The whole report: one section per failure mode, the stress table, the
/// checks, with gort and (when run) Go side by side.  svg_path names the plot
/// (empty: none drawn), svg_error why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// The stress run's submit-to-completion latency CDF, one curve per runtime.
lab::Plot latency_plot(const LabRun& run);

/// Whether run has a stress run to plot.
bool has_latency_plot(const LabRun& run);

}  // namespace survival
