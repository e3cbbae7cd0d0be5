// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// Runs are kept whole (one entry per repeated run) so the report computes its
// medians, intervals and "~" from them with lab/benchstat.hpp, for gort's
// runs and for the Go twin's alike (go/main.go prints the same fields as
// JSON; report.cpp reads them back).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ptp {

/// One measured run of the load: `requests` requests over keep-alive
/// connections against a server already warmed up.
struct RunSample {
  double requests_per_second = 0;
  /// Process CPU time (every thread: server, client, runtime) per request.
  double cpu_us_per_request = 0;
  double p99_us = 0;
  /// Collections during the run.
  int64_t gc_cycles = 0;
};

/// A setting's repeated runs, interleaved with the other setting's.
struct SideRuns {
  /// "document", "direct", "GOGC=100", "release", "pgo"...
  std::string label;
  std::vector<RunSample> runs;
};

/// One row of `go tool pprof -top`: a function and its share of the samples.
struct TopFunction {
  std::string name;
  double flat_seconds = 0;
  double flat_percent = 0;
  double cum_percent = 0;
  /// Who the frame belongs to: "gort runtime", "gort net/http", "program",
  /// "nlohmann_json (program's library)", "C/C++ library", "kernel boundary (libc syscall)",
  /// "Go runtime", "Go standard library".
  std::string owner;
};

/// A CPU profile of the representative load and what was read from it.
struct CpuProfileResult {
  std::string setting;
  std::string path;
  int64_t requests = 0;
  double seconds = 0;
  std::vector<TopFunction> top;
  /// Cumulative shares (percent) of the functions the fix concerns, by name.
  std::vector<std::pair<std::string, double>> focus;
  /// Why the profile could not be read ("" when it was).
  std::string error;
};

/// What trace-viewer's analysis finds in one traced run.
struct TraceFindings {
  std::string setting;
  std::string path;
  int64_t requests = 0;
  double duration_ms = 0;
  int64_t gc_cycles = 0;
  int64_t pauses = 0;
  double pause_total_us = 0;
  double pause_max_us = 0;
  std::string pause_max_reason;
  double assist_total_us = 0;
  /// Runnable-to-running waits (the scheduler latency distribution).
  double sched_p50_us = 0, sched_p99_us = 0, sched_max_us = 0;
  /// Minimum mutator utilisation at 1 ms and 10 ms windows (-1: not in the trace).
  double mmu_1ms = -1, mmu_10ms = -1;
  /// Share of the run with a GC cycle in progress (percent).
  double gc_active_percent = 0;
  std::string error;
};

/// A measured child of step 5 that failed or hung.
struct ChildFailure {
  /// "release" or "PGO".
  std::string binary;
  /// Whether it printed its run before failing (then the run counts).
  bool measured = false;
  std::string what;
};

/// Step 5: GCC's profile-guided optimisation of the service and gort.
struct PgoResult {
  /// "skipped", "done" or "failed".
  std::string status;
  /// Why it was skipped, or what failed.
  std::string reason;
  std::string build_dir;
  double generate_build_seconds = 0, use_build_seconds = 0, training_seconds = 0;
  /// .gcda files the training run wrote.
  int64_t gcda_files = 0;
  /// The release binary's runs and the PGO binary's, interleaved.
  SideRuns before, after;
  /// Measured children that failed or hung.
  std::vector<ChildFailure> child_failures;
};

/// Everything one runtime measured.
struct RuntimeResult {
  std::string runtime;
  int procs = 0;
  int64_t requests_per_run = 0;
  int connections = 0;
  /// Step 1 (before the fix) and step 3's re-profile (after it).
  CpuProfileResult profile_before, profile_after;
  /// The estimate made from profile_before, before the fix ran (percent less CPU per request).
  double estimated_cpu_saving_percent = 0;
  /// Step 3: the document encoder against the direct one.
  SideRuns fix_before, fix_after;
  /// Both encoders answer every distinct request with the same bytes.
  bool encodings_identical = false;
  /// Step 4: traced runs at GOGC=100 and at the tuned GOGC, and their untraced runs.
  int tuned_gogc = 0;
  TraceFindings trace_before, trace_after;
  SideRuns gc_before, gc_after;
};

/// The whole lab run.
struct LabRun {
  std::string command, machine, load_before;
  RuntimeResult gort;
  PgoResult pgo;
  std::optional<RuntimeResult> go;
  std::string go_error;
};

}  // namespace ptp
