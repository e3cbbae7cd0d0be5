// report.hpp — the run's outputs: the Markdown report, the latency plot, the
// --json document, and the Go twin's JSON read into the same results types.
#pragma once

#include <lab/plot.hpp>

#include <optional>
#include <string>
#include <vector>

#include "options.hpp"
#include "results.hpp"

namespace pool_lab {

/// The whole report: the load table per variant and runtime, the profiles'
/// top sites, the before/after, the misuse catches.  svg_path names the plot
/// (empty: none drawn), svg_error why it could not be drawn.
std::string markdown_report(const LabRun& run, const std::string& svg_path,
                            const std::optional<std::string>& svg_error);

/// The latency CDF of each variant and runtime: from every sample of the
/// in-process load, or through wrk's four percentiles.
lab::Plot latency_plot(const LabRun& run);

/// Whether any variant served requests, so there is a curve to draw.
bool has_latency_plot(const LabRun& run);

/// The --json document.
std::string json_text(const LabRun& run);

/// Builds and runs the Go twin with c's parameters, its profiles into
/// profile_dir, and reads its JSON into run->go (or says why not in
/// run->go_error).
void run_go_twin(const Config& c, const std::string& profile_dir, LabRun* run);

/// What failed in the run (empty: every check held): a variant without
/// requests or with errors, the assertion not catching its misuse, or, in a
/// TSAN build, TSAN not catching the race.
std::vector<std::string> check(const LabRun& run);

}  // namespace pool_lab
