// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace stacklab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "stack-growth";

/// Largest depth argument accepted on the command line (the run itself then
/// refuses anything that would not fit under the stack limit).
constexpr int kMaxDepthArgument = 1'000'000;
/// Most goroutines a churn style may start per round: 100k per-call links
/// reserve 25 GiB of address space in gort, still far below x86-64's 128 TiB.
constexpr int kMaxGoroutines = 100'000;
/// Longest hold or sample interval accepted, in milliseconds (a minute: longer
/// only makes the run slow).
constexpr int kMaxMillis = 60'000;

/// Most GOMAXPROCS accepted: more Ps than CPUs only measures the OS scheduler,
/// and 256 is far above any machine this runs on (Go's own cap is 1024).
constexpr int kMaxProcs = 256;

/// Parses --depths: numbers 0..kMaxDepthArgument and 'max' after a positive number.
std::optional<std::vector<int>> parse_depths(const std::string& s) {
  std::vector<int> out;
  bool positive_seen = false;
  for (const std::string& item : lab::split_list(s)) {
    if (item == "max") {
      if (!positive_seen) return std::nullopt;
      out.push_back(kMaxDepthStep);
      continue;
    }
    auto v = lab::parse_integer(item, 0, kMaxDepthArgument);
    if (!v) return std::nullopt;
    positive_seen = positive_seen || *v > 0;
    out.push_back(static_cast<int>(*v));
  }
  return out;
}

/// Parses --goroutines: positive counts up to kMaxGoroutines, duplicates dropped.
std::optional<std::vector<int>> parse_fanouts(const std::string& s) {
  std::vector<int> out;
  for (const std::string& item : lab::split_list(s)) {
    auto v = lab::parse_integer(item, 1, kMaxGoroutines);
    if (!v) return std::nullopt;
    if (std::find(out.begin(), out.end(), *v) == out.end()) out.push_back(static_cast<int>(*v));
  }
  return out;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "stack-growth: the course's week-3 lab. Runs depth(n), a recursion with a 256-byte frame "
      "per call, for growing n in one goroutine, then spreads the same frames over many "
      "goroutines (and one goroutine per call), holding each set at its deepest point to "
      "measure stack use per goroutine (frame addresses, mincore) and process-wide "
      "(StackInuse, StackSys, VmRSS). Markdown report on stdout, progress on stderr."};
  std::string depths = "0,16,64,256,512,max";
  std::string fanouts = "1,8,64";
  std::string total = "max";
  std::string rounds = "10", hold_ms = "20", sample_ms = "5", procs = "0";
  bool no_per_call = false, no_overflow = false, gc_while_held = false;
  lab::CommonFlags common;
  app.add_option("--depths", depths,
                 "depth(n) steps in one goroutine: comma-separated n >= 0, and 'max' (the deepest n that "
                 "fits the stack limit) after a positive n")
      ->default_val(depths);
  app.add_option("--goroutines", fanouts, "churn: goroutine counts K that share the total frames (comma-separated)")
      ->default_val(fanouts);
  app.add_option("--total-frames", total,
                 "churn: depth frames per round, a number or 'max' (the max step's frames, rounded down "
                 "to a multiple of the largest K)")
      ->default_val(total);
  app.add_flag("--no-per-call", no_per_call, "churn: skip the goroutine-per-call style");
  app.add_option("--rounds", rounds, "churn: rounds per style")->default_val(rounds);
  app.add_option("--hold-ms", hold_ms, "milliseconds each measurement keeps its goroutines at depth")
      ->default_val(hold_ms);
  app.add_option("--sample-ms", sample_ms, "milliseconds between samples of the time series")->default_val(sample_ms);
  app.add_flag("--gc-while-held", gc_while_held,
               "force a GC at every hold, so GODEBUG=gctrace=1 prints its 'MB stacks' with the goroutines deep");
  app.add_option("--procs", procs, "GOMAXPROCS for the run (0: the runtime's default)")->default_val(procs);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "depths 0,16,64,max, goroutines 1,4,16, 3 rounds, 2 ms holds, 1 ms samples, "
                                       "unless given",
                         .svg = "the stack-in-use-over-time plot"},
                        &common);
  app.add_flag("--no-overflow", no_overflow, "do not run the overflowing child process");
  app.add_flag("--overflow", o.overflow_now,
               "recurse past the stack limit now: the runtime prints its stack-overflow report, exit status 2");
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const bool short_mode = common.short_mode;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (short_mode) {
    if (app.count("--depths") == 0) depths = "0,16,64,max";
    if (app.count("--goroutines") == 0) fanouts = "1,4,16";
    if (app.count("--rounds") == 0) rounds = "3";
    if (app.count("--hold-ms") == 0) hold_ms = "2";
    if (app.count("--sample-ms") == 0) sample_ms = "1";
  }
  ExperimentConfig& c = o.config;
  auto d = parse_depths(depths);
  if (!d) {
    return fail(fmt::format("--depths '{}': expected comma-separated numbers 0..{}, and 'max' "
                                              "after a positive number (e.g. 0,16,64,max)",
                                              depths, kMaxDepthArgument));
  }
  c.depths = *d;
  auto f = parse_fanouts(fanouts);
  if (!f) {
    return fail(fmt::format("--goroutines '{}': expected comma-separated counts 1..{} (e.g. 1,8,64)",
                                              fanouts, kMaxGoroutines));
  }
  c.fanouts = *f;
  if (total == "max") {
    c.total_frames = 0;
  } else if (auto t = lab::parse_integer(total, 1, kMaxGoroutines)) {
    c.total_frames = static_cast<int>(*t);
  } else {
    return fail(fmt::format("--total-frames '{}': expected a number 1..{} or 'max'", total, kMaxGoroutines));
  }
  // The numeric flags are read as text so a malformed value gets the same one
  // line, naming the accepted range, as the lists above.
  struct Bounded {
    const char* flag;
    const std::string* text;
    int lo, hi;
    int* out;
    const char* unit;
  };
  int rounds_n = 0, hold_n = 0, sample_n = 0;
  const Bounded numbers[] = {{"--rounds", &rounds, 1, 1000, &rounds_n, ""},
                             {"--hold-ms", &hold_ms, 0, kMaxMillis, &hold_n, " milliseconds"},
                             {"--sample-ms", &sample_ms, 1, kMaxMillis, &sample_n, " milliseconds"},
                             {"--procs", &procs, 0, kMaxProcs, &o.procs, " (0: the runtime's default)"}};
  for (const Bounded& b : numbers) {
    auto v = lab::parse_integer(*b.text, b.lo, b.hi);
    if (!v) return fail(fmt::format("{} '{}': expected a number {}..{}{}", b.flag, *b.text, b.lo, b.hi, b.unit));
    *b.out = static_cast<int>(*v);
  }
  c.per_call = !no_per_call;
  c.gc_while_held = gc_while_held;
  c.rounds = rounds_n;
  c.hold = std::chrono::milliseconds(hold_n);
  c.sample_interval = std::chrono::milliseconds(sample_n);
  o.overflow_report = !no_overflow;
  return o;
}

}  // namespace stacklab
