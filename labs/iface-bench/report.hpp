// report.hpp — the Markdown report and the plot of one run of the lab.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace ifacebench {

/// The whole report; svg_path is where the plot went ("" for none) and
/// svg_error why it was not drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// ns/op of every timed run, one line per variant and runtime (Go dashed).
lab::Plot runs_plot(const LabRun& run);

/// The consistency checks the report prints: a group's variants computed the
/// same result, and the logger recorded what its level allows.  Returns the
/// failures, one sentence each (empty: all hold).
std::vector<std::string> consistency_failures(const RuntimeResults& r);

}  // namespace ifacebench
