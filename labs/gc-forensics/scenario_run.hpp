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
#include <vector>

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

/// Runs the setting in a child of this program, with `env` (NAME=value)
/// replacing or adding to the setting's environment; with no env the child
/// profiles itself as --cpuprofile/--memprofile asked.  Returns nullopt with
/// *why set when the child cannot start, fails, or prints something unreadable.
std::optional<ScenarioRun> run_on_gort(const WorkloadParams& p, const GcSetting& s, std::string* why,
                                       const std::vector<std::string>& env = {});

/// Runs the setting in the Go twin (built on first use), with extra flags and
/// `env` as run_on_gort.  Returns nullopt with *why set when Go is missing, the
/// build fails, or the run fails.
std::optional<ScenarioRun> run_on_go(const WorkloadParams& p, const GcSetting& s, std::string* why,
                                     const std::vector<std::string>& args = {},
                                     const std::vector<std::string>& env = {});

/// The environment `base` with each of `overrides` (NAME=value) replacing the
/// entry of the same name, or appended when there is none.
std::vector<std::string> with_env(std::vector<std::string> base, const std::vector<std::string>& overrides);

}  // namespace gclab
