// alloc_steps.hpp — course lab 6.3, steps 4 and 5, on the allocation service.
//
// Step 4: "capture a go tool pprof -alloc_objects profile, identify the top
// five allocation sites, refactor at least two with sync.Pool or
// pre-allocated buffers, re-benchmark".  Each variant of the service (the
// baseline, and the refactored one of service.cpp: preallocated scratch and a
// gort::Pool) serves a fixed number of requests at GOGC=100 twice per
// runtime: once with every allocation in the heap profile
// (GODEBUG=memprofilerate=1; gort writes profile.proto through
// GORTMEMPROFILE, the twin through -memprofile), read by the real
// `go tool pprof -top -lines -nodefraction=0 -sample_index=alloc_objects`
// (and alloc_space), whose rows the lab parses; and once unprofiled, as the
// benchmark: MemStats.Mallocs and NumGC growth over the served requests
// (allocs/op = mallocs / requests) and GCCPUFraction.  gort's allocation
// entry points are inline templates (gc::make, gc::make_slice), so its
// profile's leaf frames are gort's own; the lab hides them (-hide=gort::gc::)
// so the rows name the program's lines, as Go's profiles do by themselves.
//
// Step 5: "capture a trace and locate the GC mark phases".  The benchmark runs
// are traced (GORTTRACE; the twin's -trace), and the gort trace is read by
// trace-viewer's own code — its reader, ordering, timeline and analyze_gc
// (library gort_trace_reader) — whose GC cycles (GCBegin..GCEnd) and
// stop-the-world pauses give each cycle's concurrent mark: from the end of
// its sweep-termination stop to the start of its last mark-termination stop.
// Next to each, the mark assists and mark workers the timeline recorded
// inside the cycle.  The Go trace is for `go tool trace`, named in the report;
// its GC ranges are counted from the events `go tool trace -d` prints.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "params.hpp"
#include "scenario_run.hpp"

namespace gclab {

/// One row of `go tool pprof -top`: the flat count and its share, the
/// cumulative count, and the site ("function file:line").
struct PprofRow {
  std::string flat, flat_percent, cum, site;
};

/// What one `go tool pprof -top` run printed.
struct PprofTop {
  /// The command, as it can be pasted.
  std::string command;
  /// Every row, in pprof's order (by flat, largest first).
  std::vector<PprofRow> rows;
  /// Why pprof gave no rows; empty when it did.
  std::string error;
};

/// One variant of the service on one runtime: its profile, its benchmark.
struct VariantSteps {
  /// The heap profile file and pprof's reading of it by objects and by bytes.
  std::string profile_path;
  PprofTop objects, space;
  /// The unprofiled, traced benchmark run (absent when it failed: bench_note).
  std::optional<ScenarioRun> bench;
  /// The benchmark run's execution trace.
  std::string trace_path;
  /// Why a run is missing; empty when both ran.
  std::string note;
};

/// Steps 4 and 5 on one runtime.
struct RuntimeSteps {
  /// "gort" or "go".
  std::string runtime;
  /// Whether its runs were attempted (Go: only with --go).
  bool ran = false;
  VariantSteps baseline, refactor;
};

/// One GC cycle as trace-viewer's analysis found it in the trace.  Times are
/// ns since the trace started.
struct MarkPhase {
  /// The cycle number (GCBegin's argument).
  uint64_t cycle = 0;
  /// The GC range, GCBegin to GCEnd (the viewer's GC track).
  int64_t start = 0, end = 0;
  /// The concurrent mark: end of the sweep-termination stop to start of the
  /// last mark-termination stop (the GC range when either is missing).
  int64_t mark_start = 0, mark_end = 0;
  /// Stop-the-world pauses inside the range, their count and total.
  int pauses = 0;
  int64_t pause_ns = 0;
  /// Mark assists (goroutine slices) overlapping the mark, time and count.
  int64_t assist_ns = 0;
  uint64_t assists = 0;
  /// Mark-worker time on the Ps inside the mark: dedicated, fractional, idle.
  std::array<int64_t, 3> worker_ns{};
};

/// The gort trace's reading.
struct TraceFindings {
  /// The trace file (the baseline benchmark's).
  std::string path;
  /// Why it could not be read; empty when it was.
  std::string error;
  /// Every completed cycle in the trace, in order.
  std::vector<MarkPhase> phases;
  /// The trace's length in ns.
  int64_t duration_ns = 0;
};

/// The Go twin's trace as `go tool trace -d` (Go's own trace parser) prints
/// its events: the GC ranges, GCStart to GCDone, in ns since the trace began.
struct GoTraceRanges {
  /// The command run.
  std::string command;
  /// Every completed range, in order.
  std::vector<std::pair<int64_t, int64_t>> ranges;
  /// Why there are none; empty when the trace was read.
  std::string error;
};

/// Steps 4 and 5 together.
struct AllocSteps {
  /// Requests each run served (0: the steps did not run).
  int64_t requests = 0;
  /// Whether each variant ran once, profiled, traced and benchmarked at once.
  bool one_run = false;
  RuntimeSteps gort, go;
  TraceFindings trace;
  /// The twin's baseline trace (with --go).
  GoTraceRanges go_trace;
  /// True when `go tool pprof` could not be started (no `go` on PATH): the
  /// top five sites are missing and the lab exits with kExitNoPprof.
  bool pprof_missing = false;
};

/// Exit status of a run whose report lacks step 4's sites because `go tool
/// pprof` could not run (everything else was reported).
inline constexpr int kExitNoPprof = 3;

/// Runs steps 4 and 5 for `requests` requests of workload p (a service) with
/// files in out_dir, Go's runs too when with_go; one run per variant instead
/// of a profiled and a benchmark run when one_run.  Progress goes to stderr.
AllocSteps run_alloc_steps(const WorkloadParams& p, int64_t requests, const std::string& out_dir, bool with_go,
                           bool one_run);

/// The report's section for steps 4 and 5 (empty when they did not run).
std::string alloc_steps_markdown(const AllocSteps& s);

/// Steps 4 and 5 as JSON: sites, benchmark figures and mark phases.
nlohmann::json alloc_steps_json(const AllocSteps& s);

/// Reads `go tool trace -d` output (one event a line, its time first) into
/// the GC ranges: each GCStart to the next GCDone.
GoTraceRanges parse_go_trace_events(const std::string& text);

/// Reads `go tool pprof -top` output into rows (the table under its header
/// line); error set when there is no table.
PprofTop parse_pprof_top(const std::string& text);

}  // namespace gclab
