// scenario_run.hpp — running one GC setting as a process, on gort (this
// program in its --child mode) or on Go (the twin), and reading back what it
// printed: the JSON result on stdout, the gctrace lines on stderr.
//
// Both runtimes get the same workload flags (workload_flags) and the same
// environment (gc_setting_env), and both logs go through the same gctrace
// parser, so a difference in the report is a difference between runtimes.
#pragma once

#include <optional>
#include <string>

#include <lab/gctrace.hpp>

#include "params.hpp"
#include "run_result.hpp"

namespace gclab {

using lab::GctraceLine;
using lab::GctraceLog;
using lab::read_gctrace_log;

/// One setting run on one runtime.
struct ScenarioRun {
  /// What the run measured (its JSON).
  RunResult result;
  /// Its stderr, sorted into gctrace lines and the rest.
  GctraceLog trace;
};

/// Runs the setting in a child of this program.  Returns nullopt with *why set
/// when the child cannot start, fails, or prints something unreadable.
std::optional<ScenarioRun> run_on_gort(const WorkloadParams& p, const GcSetting& s, std::string* why);

/// Runs the setting in the Go twin (built on first use).  Returns nullopt with
/// *why set when Go is missing, the build fails, or the run fails.
std::optional<ScenarioRun> run_on_go(const WorkloadParams& p, const GcSetting& s, std::string* why);

}  // namespace gclab
