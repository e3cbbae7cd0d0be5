// options.hpp — gc-forensics' command line: the workload, the GC settings to
// run it under, and where the report's files go.
//
// With no --gogc and no --memlimit the lab runs the course's set for the
// workload: for the service, GOGC=100, 50 and 200 and GOGC=off under
// GOMEMLIMIT (6.3 Lab steps 1-3); for the retained buffers, the worked
// example's four "Try tuning" runs: GOGC=100, 50 and 200, and GOGC=100 under
// GOMEMLIMIT=20MiB.  --gogc takes a list (each value a run); --memlimit
// applies to every run.
//
// Steps 4 and 5 (service only) run after the settings, at GOGC=100, on a fixed
// number of requests (--requests; 0 skips them): see alloc_steps.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "params.hpp"

namespace gclab {

/// Everything the command line decides.
struct Options {
  /// The workload and its size.
  WorkloadParams params;
  /// The runs, in order: one process per setting (per runtime).
  std::vector<GcSetting> settings;
  /// Hidden: run one scenario in this process under the environment's
  /// GOGC/GOMEMLIMIT and print its result as JSON (what the parent starts).
  bool child = false;
  /// Also run the Go twin (labs/gc-forensics/go) for every setting.
  bool with_go = false;
  /// Heap-over-time SVG path; each setting's plot is this name with the
  /// setting inserted before ".svg".  Empty: no plots.
  std::string svg_path;
  /// JSON output of every measurement (empty: none).
  std::string json_path;
  /// gctrace lines shown per run in the report (the rest are counted).
  int shown_lines = 8;
  /// Steps 4 and 5 (service only): requests each profiled, benchmarked and
  /// traced run serves, a fixed count so allocs/op compare; 0 skips them.
  int64_t step_requests = 200'000;
  /// --short: steps 4 and 5 run each variant once, profiled and traced.
  bool short_mode = false;
  /// Where steps 4 and 5 write their heap profiles and traces.
  std::string out_dir = ".";
};

/// Parses argv.  Returns the options, or nullopt after printing help (exit 0
/// wanted: *exit_code = 0) or one error line naming the flag and its accepted
/// forms (*exit_code = 2).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace gclab
