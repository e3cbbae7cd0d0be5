// report.hpp — the Markdown report and the plot of a lab run.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace ctxlab {

/// The whole report: one section per part, gort and (when run) Go side by
/// side, then the checks and the leak check's verdicts.  svg_path names the
/// plot (empty: none drawn), svg_error why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// Each fan-out worker's time from the failure to its return, per runtime.
/// Precondition: run.gort.fanout is set.
lab::Plot cancel_plot(const LabRun& run);

}  // namespace ctxlab
