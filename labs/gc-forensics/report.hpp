// report.hpp — the lab's Markdown report and JSON output from the runs of
// every GC setting.
//
// The report answers the course's questions in order: a summary table (cycles,
// pauses p50/p99/max, GC CPU fraction, peak heap per setting and runtime); then
// per setting the gctrace lines as printed (gort's and Go's one after the
// other), a table of the cycles read from them, and the heap plot; then one
// line decoded field by field, the worked example done on this run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "params.hpp"
#include "scenario_run.hpp"

namespace gclab {

/// One GC setting and what its runs produced.
struct SettingRuns {
  /// The GOGC/GOMEMLIMIT the runs had.
  GcSetting setting;
  /// The gort run (absent only when it failed; then gort_note says why).
  std::optional<ScenarioRun> gort;
  /// The Go twin's run (absent without --go, or when it could not run).
  std::optional<ScenarioRun> go;
  /// Why a run is missing; empty when it ran or was not asked for.
  std::string gort_note, go_note;
  /// The heap plot's file; empty when it was not drawn.
  std::string plot_path;
  /// Why the plot was not drawn; empty when it was.
  std::string plot_error;
};

/// What the report says about the whole invocation.
struct ReportContext {
  /// The command line as typed (program name and flags).
  std::string command;
  /// lab::machine_description().
  std::string machine;
  /// The workload every setting ran.
  WorkloadParams params;
  /// gctrace lines and cycle rows shown per run.
  int shown_lines = 8;
};

/// The Markdown report.
std::string markdown_report(const ReportContext& ctx, const std::vector<SettingRuns>& settings);

/// Every measurement as JSON: the runs' results, their parsed gctrace lines,
/// the lines that did not parse, and the summary figures.
nlohmann::json report_json(const ReportContext& ctx, const std::vector<SettingRuns>& settings);

}  // namespace gclab
