// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults from gort; the Go twin (go/main.go) prints
// the same fields as JSON with -json, which from_json reads back, so the
// report and the --json file treat both runtimes alike.  Fields that only one
// runtime has are optional (null in JSON): the slot size and per-slot
// residency exist only where stacks are fixed slots.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stacklab {

/// Process-wide stack figures at one moment.
struct ProcessStacks {
  /// MemStats.StackInuse: gort counts the 256 KiB slots bound to goroutines or
  /// free and not yet released by a GC, Go counts bytes of stack spans in use.
  std::uint64_t stack_inuse = 0;
  /// MemStats.StackSys: StackInuse plus the runtime's thread (signal) stacks.
  std::uint64_t stack_sys = 0;
  /// Resident set of the whole process (VmRSS).
  std::uint64_t rss = 0;
};

/// A set of goroutines held at their deepest frame, and the process around them.
struct HeldSnapshot {
  /// What was held ("n=256", "round 3").
  std::string label;
  /// depth's argument in each goroutine (each goroutine has n+1 depth frames;
  /// 0 in the per-call style, where each goroutine has one).
  int n = 0;
  /// Goroutines whose frames were measured.
  int goroutines = 0;
  /// Largest and mean (entry frame address - deepest frame address) over them.
  std::uint64_t used_bytes_max = 0;
  double used_bytes_mean = 0;
  /// Sum over them of the resident pages between deepest frame and entry.
  std::uint64_t resident_used_bytes = 0;
  /// Sum over them of the resident pages of the whole usable slot below the
  /// entry frame (gort only: a reused slot keeps its previous owner's pages).
  std::optional<std::uint64_t> resident_slot_bytes;
  /// Process-wide figures while they were held.
  ProcessStacks process;
};

/// One style of the churn experiment: the same total frames spread over
/// goroutines, repeated for several rounds.
struct ChurnStyle {
  /// "1 goroutine", "8 goroutines", "goroutine per call".
  std::string style;
  /// Goroutines started per round (the per-call chain counts every link).
  int goroutines = 0;
  /// depth frames each goroutine holds.
  int frames_per_goroutine = 0;
  /// Before the first round of this style.
  ProcessStacks before;
  /// At the hold point of each round.
  std::vector<HeldSnapshot> rounds;
  /// Per round: nanoseconds to build the stacks up to the hold point plus to
  /// unwind and join them (the hold itself excluded).
  std::vector<std::int64_t> round_ns;
  /// After every goroutine of the style has exited, and after a forced GC.
  ProcessStacks after_exit;
  ProcessStacks after_gc;
};

/// One point of the sampler's time series.
struct StackSample {
  /// Milliseconds since the experiment started.
  double t_ms = 0;
  ProcessStacks stacks;
  /// Goroutines alive (runtime.NumGoroutine).
  int goroutines = 0;
};

/// When a phase of the experiment began (to read the time series).
struct Phase {
  std::string name;
  /// Milliseconds since the experiment started.
  double t_ms = 0;
};

/// Everything measured on one runtime.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  int gomaxprocs = 0;
  /// Largest stack a goroutine may use: gort's fixed limit, Go's max stack size.
  std::uint64_t stack_limit_bytes = 0;
  /// Address space per stack slot (gort only).
  std::optional<std::uint64_t> slot_bytes;
  /// Before any experiment.
  ProcessStacks baseline;
  /// The growth steps' n as run ("max" resolved), without the repeated step.
  std::vector<int> depth_steps;
  /// depth(n) in one goroutine for each of depth_steps, then the smallest
  /// n > 0 again.
  std::vector<HeldSnapshot> growth;
  /// Stack used by depth(0) (the goroutine's own frames) and per extra call:
  /// (used(n) - used(0)) / n at the largest n measured.
  double entry_to_depth0_bytes = 0;
  double bytes_per_frame = 0;
  /// Frames each churn style spreads.
  int total_frames = 0;
  std::vector<ChurnStyle> churn;
  std::vector<StackSample> samples;
  std::vector<Phase> phases;
};

/// What a run that overflows its stack printed (a child process of the lab).
struct OverflowReport {
  /// Which runtime overflowed ("gort", "go").
  std::string runtime;
  /// The child's exit status (Go and gort: 2).
  int exit_code = -1;
  /// "runtime: goroutine stack exceeds N-byte limit", when printed.
  std::optional<std::string> limit_line;
  /// "fatal error: stack overflow" was printed.
  bool fatal_line = false;
  /// hi - lo of "stack=[lo, hi]" in the report: the stack size at the fault.
  std::optional<std::uint64_t> stack_bytes;
  /// The report's first lines, verbatim.
  std::vector<std::string> head;
  /// Lines of the whole report (the traceback is long).
  int total_lines = 0;
};

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  /// The command as typed, for the report.
  std::string command;
  /// gort's results.
  RuntimeResults gort;
  /// The Go twin's results (--go), or empty.
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
  /// The overflowing children's reports (empty with --no-overflow).
  std::optional<OverflowReport> overflow;
  std::optional<OverflowReport> go_overflow;
};

// JSON conversions (nlohmann's ADL hooks), one field per member under the
// member's snake_case name; optional members are null when absent.
void to_json(nlohmann::json& j, const ProcessStacks& v);
void from_json(const nlohmann::json& j, ProcessStacks& v);
void to_json(nlohmann::json& j, const HeldSnapshot& v);
void from_json(const nlohmann::json& j, HeldSnapshot& v);
void to_json(nlohmann::json& j, const ChurnStyle& v);
void from_json(const nlohmann::json& j, ChurnStyle& v);
void to_json(nlohmann::json& j, const StackSample& v);
void from_json(const nlohmann::json& j, StackSample& v);
void to_json(nlohmann::json& j, const Phase& v);
void from_json(const nlohmann::json& j, Phase& v);
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const OverflowReport& v);
void to_json(nlohmann::json& j, const LabRun& v);

/// Sets entry_to_depth0_bytes and bytes_per_frame from r.growth (needs a step
/// with n == 0 and one with n > 0; leaves them 0 otherwise).
void derive_frame_bytes(RuntimeResults& r);

}  // namespace stacklab
