// report.hpp — the lab's Markdown report, its --json document (and the Go
// twin's JSON read back into the same shape), and its plot.
#pragma once

#include <lab/plot.hpp>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "results.hpp"

namespace ptp {

void to_json(nlohmann::json& j, const RunSample& s);
void from_json(const nlohmann::json& j, RunSample& s);
void to_json(nlohmann::json& j, const LabRun& r);
/// The Go twin's output: a RuntimeResult without the fields it cannot fill.
void from_json(const nlohmann::json& j, RuntimeResult& r);

/// The plot: CPU time per request of every run, one series per setting.
lab::Plot runs_plot(const LabRun& run);

/// The whole report; svg_path is the plot's file ("" when none), svg_error
/// why it was not drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// PERF_LOG.md's entries for this run: each change with its hypothesis,
/// estimate, result table and verdict.
std::string perf_log(const LabRun& run);

}  // namespace ptp
