// options.cpp — the command line (CLI11) and Go's duration syntax.
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <lab/cli.hpp>

#include <cstdio>
#include <thread>

namespace schedlab {

const char* loop_kind_name(LoopKind k) {
  switch (k) {
    case LoopKind::Busy: return "busy";
    case LoopKind::Gosched: return "gosched";
    case LoopKind::Sleep: return "sleep";
  }
  return "?";
}

std::string variant_label(const Variant& v) {
  std::string s = fmt::format("procs={} {}", v.procs, loop_kind_name(v.loop));
  if (!v.async_preempt && v.loop != LoopKind::Sleep) s += " async-off";
  return s;
}

namespace {

/// Most GOMAXPROCS the lab accepts: Go caps GOMAXPROCS at 256 on 64-bit (_MaxGomaxprocs is 1024
/// since Go 1.10, but more Ps than CPUs only measures the OS scheduler).
constexpr int kMaxProcs = 256;

/// The lab's name in messages and default file names.
constexpr const char* kLab = "schedule-forensics";

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "schedule-forensics: the course's week-2 lab. Spawns N goroutines that each do D of work "
      "(a CPU loop, the loop with yields, or a sleep) and reports the distribution of their "
      "times to completion, per GOMAXPROCS and loop kind. Markdown report on stdout, progress "
      "on stderr."};
  std::string procs = "1,2,all";
  std::string work = "10ms";
  std::string async = "on";
  bool busy = false, gosched = false, sleep = false;
  lab::CommonFlags common;
  app.add_option("--procs", procs, "GOMAXPROCS values, comma-separated: positive numbers or 'all' (CPUs)")
      ->default_val(procs);
  app.add_flag("--busy", busy, "run the busy CPU loop (default when no loop flag is given: all three)");
  app.add_flag("--gosched", gosched, "run the loop with a yield (gort::gosched) every 1/100 of the work");
  app.add_flag("--sleep", sleep, "sleep for the work instead of computing (the timer path)");
  app.add_option("--async-preempt", async, "async preemption of the busy loop: on, off or both")
      ->default_val(async);
  app.add_option("--goroutines", o.goroutines, "goroutines per variant")->default_val(o.goroutines);
  app.add_option("--work", work, "work per goroutine, a Go duration (10ms, 500us, 1s)")->default_val(work);
  app.add_option("--trace", o.trace_path, "write an execution trace (gort::trace) of all variants to FILE");
  lab::add_common_flags(app, kLab,
                        {.short_mode = "100 goroutines of 2ms unless given", .svg = "the CDF of completion times"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  if (common.short_mode) {  // 100 goroutines of 2 ms unless given
    if (app.count("--goroutines") == 0) o.goroutines = 100;
    if (app.count("--work") == 0) work = "2ms";
  }
  if (o.goroutines < 1 || o.goroutines > 1'000'000)
    return lab::usage_error(kLab, fmt::format("--goroutines {}: must be between 1 and 1000000", o.goroutines), exit_code);
  auto d = lab::parse_go_duration(work);
  if (!d) return lab::usage_error(kLab, fmt::format("--work '{}': not a positive Go duration (e.g. 10ms, 500us, 1s)", work), exit_code);
  o.work = *d;

  std::vector<int> proc_counts;
  for (const auto& p : lab::split_list(procs)) {
    int n = 0;
    if (p == "all") n = static_cast<int>(std::thread::hardware_concurrency());
    else if (auto v = lab::parse_integer(p, 1, kMaxProcs)) n = static_cast<int>(*v);
    if (n < 1 || n > kMaxProcs)
      return lab::usage_error(kLab, fmt::format("--procs '{}': expected comma-separated numbers 1..{} or 'all'", procs, kMaxProcs), exit_code);
    if (std::find(proc_counts.begin(), proc_counts.end(), n) == proc_counts.end()) proc_counts.push_back(n);
  }
  std::vector<bool> asyncs;
  if (async == "on") asyncs = {true};
  else if (async == "off") asyncs = {false};
  else if (async == "both") asyncs = {true, false};
  else return lab::usage_error(kLab, fmt::format("--async-preempt '{}': expected on, off or both", async), exit_code);

  std::vector<LoopKind> loops;
  if (busy) loops.push_back(LoopKind::Busy);
  if (gosched) loops.push_back(LoopKind::Gosched);
  if (sleep) loops.push_back(LoopKind::Sleep);
  if (loops.empty()) loops = {LoopKind::Busy, LoopKind::Gosched, LoopKind::Sleep};
  o.twin_args = {"-goroutines=" + std::to_string(o.goroutines),
                 "-work=" + std::to_string(o.work.count()) + "ns", "-procs=" + procs};
  for (LoopKind k : loops) o.twin_args.push_back(std::string("-") + loop_kind_name(k));
  for (int n : proc_counts) {
    for (LoopKind k : loops) {
      if (k == LoopKind::Sleep) {
        o.variants.push_back({n, k, true});  // a sleeping goroutine runs no loop to preempt
        continue;
      }
      for (bool a : asyncs) o.variants.push_back({n, k, a});
    }
  }
  return o;
}

}  // namespace schedlab
