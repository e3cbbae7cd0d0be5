// options.hpp — schedule-forensics' command line: which variants of the
// course's experiment to run and how big it is.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace schedlab {

/// What each goroutine does for its share of the experiment (the course's steps 1, 4, 5).
enum class LoopKind {
  Busy,     // a CPU loop of --work, no runtime calls inside
  Gosched,  // the same loop, yielding (gort::gosched / runtime.Gosched) between chunks
  Sleep,    // gort::sleep(--work) instead of the loop: the timer path
};

/// The kind's name in reports, flags and JSON ("busy", "gosched", "sleep").
const char* loop_kind_name(LoopKind k);

/// One run of the experiment: a GOMAXPROCS value, a loop kind, async preemption.
struct Variant {
  /// GOMAXPROCS for this run (>= 1).
  int procs = 1;
  LoopKind loop = LoopKind::Busy;
  /// Whether the busy loop may be preempted asynchronously (Go's default; in gort,
  /// the loop runs inside gort::AsyncPreemptible).  Irrelevant to Sleep.
  bool async_preempt = true;
};

/// A variant's label in tables and plots: "procs=1 busy", "procs=2 gosched async-off".
std::string variant_label(const Variant& v);

/// Everything the command line decides.
struct Options {
  /// Goroutines spawned per variant (the course: 1,000).
  int goroutines = 1000;
  /// Work per goroutine (the course: 10 ms).
  std::chrono::nanoseconds work = std::chrono::milliseconds(10);
  /// The runs, in order.
  std::vector<Variant> variants;
  /// Execution trace output (empty: no trace).
  std::string trace_path;
  /// SVG CDF output (empty: no plot).
  std::string svg_path;
  /// JSON output of every measurement (empty: none).
  std::string json_path;
  /// Also run the Go twin with the same parameters and report both.
  bool with_go = false;
  /// The --procs, --async-preempt and loop flags as given, for the Go twin.
  std::vector<std::string> twin_args;
};

/// Parses argv.  Returns the options, or nullopt after printing help (exit 0
/// wanted: *exit_code = 0) or an error naming the flag and its accepted forms
/// (*exit_code = 2).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace schedlab
