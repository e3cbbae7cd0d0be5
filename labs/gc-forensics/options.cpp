// options.cpp — the command line (CLI11), validated into Options.
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <gort/gc/collector.hpp>
#include <lab/cli.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>

#include "units.hpp"

namespace gclab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "gc-forensics";

/// The course's memory ceiling for step 2 (GOMEMLIMIT=512MiB GOGC=off).
constexpr int64_t kCourseServiceLimit = int64_t{512} << 20;
/// The worked example's last tuning run: GOGC=100 GOMEMLIMIT=20MiB, a limit
/// far below the 1 GB it retains, so the goal is the live heap and the
/// collector runs back to back while the heap grows past the limit.
constexpr int64_t kWorkedExampleLimit = int64_t{20} << 20;
/// --short's service ceiling: 8x its 4 MiB live heap.  Lower, both runtimes'
/// own overhead (Go's is ~10 MiB at this size) leaves a goal at the live heap
/// itself and the collector runs back to back; at 32 MiB the limit starts a
/// cycle every 20-odd MiB allocated, several within the one-second run.
constexpr int64_t kShortServiceLimit = int64_t{32} << 20;

/// Limits on counts: beyond them the run needs more memory than a test machine
/// has (10M buffers of 1 KiB are 10 GiB) or more goroutines than make sense.
constexpr int64_t kMaxBuffers = 10'000'000;
constexpr int64_t kMaxWorkers = 1024;
constexpr int64_t kMaxLiveBytes = int64_t{16} << 30;
constexpr int64_t kMaxShownLines = 100'000;
/// Steps 4-5's request counts: 10^8 requests are 420 GB of allocation, over
/// an hour at the course's 100 MB/s.
constexpr int64_t kMaxRequests = 100'000'000;
/// --short's steps 4-5 requests: 4,000 requests are 17 MB, three or four
/// cycles over --short's 4 MiB live heap at GOGC=100, in about 0.17 s at
/// 100 MB/s; enough for every allocation site and a traced mark phase.
constexpr const char* kShortRequests = "4000";
/// Largest GOGC accepted: Go takes any int32, but beyond 10^6 percent the goal
/// passes any real heap and the setting is GOGC=off in disguise.
constexpr int64_t kMaxGogc = 1'000'000;

/// The course's set of settings for a workload (see options.hpp).
std::vector<GcSetting> course_settings(Workload w, bool short_mode) {
  if (w == Workload::Retain) return {{100, {}}, {50, {}}, {200, {}}, {100, kWorkedExampleLimit}};
  return {{100, {}}, {50, {}}, {200, {}}, {std::nullopt, short_mode ? kShortServiceLimit : kCourseServiceLimit}};
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "gc-forensics: the course's week-6 lab. Runs an allocation service (or the gctrace worked "
      "example's retained 1 KiB buffers) under GODEBUG=gctrace=1 for each GOGC/GOMEMLIMIT setting, "
      "one process per setting, and reports the gctrace lines, a table of cycles, pauses, GC CPU "
      "and peak heap, with a heap-over-time SVG per setting. Markdown report on stdout, progress "
      "on stderr."};
  std::string scenario = "service", rate = "100MB/s", duration = "10s", workers = "4", live = "32MiB";
  std::string buffers = "1000000", pause_every = "50000", gogc, memlimit, lines = "8", requests = "200000";
  lab::CommonFlags common;
  app.add_option("--scenario", scenario,
                 "workload: 'service' (short-lived objects at --rate) or 'retain' (the worked example: "
                 "--buffers 1 KiB buffers kept, a 10ms sleep every --pause-every)")
      ->default_val(scenario);
  app.add_option("--gogc", gogc,
                 "GOGC values, comma-separated: non-negative integers or 'off' (default: the course's set, "
                 "see README)");
  app.add_option("--memlimit", memlimit,
                 "GOMEMLIMIT for every run, Go's syntax: bytes or a number with B, KiB, MiB, GiB, TiB");
  app.add_option("--rate", rate, "service: allocation rate, e.g. 100MB/s, 1GB/s, 64MiB/s")->default_val(rate);
  app.add_option("--duration", duration, "service: how long to allocate, a Go duration (10s, 500ms)")
      ->default_val(duration);
  app.add_option("--workers", workers, "service: goroutines allocating, the rate split among them")
      ->default_val(workers);
  app.add_option("--live", live, "service: bytes the workers keep live in caches (GOMEMLIMIT syntax)")
      ->default_val(live);
  app.add_option("--buffers", buffers, "retain: 1 KiB buffers allocated and kept")->default_val(buffers);
  app.add_option("--pause-every", pause_every, "retain: sleep 10ms after every N buffers")->default_val(pause_every);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "1s service with 4MiB live and a 32MiB limit, 40000 buffers pausing every "
                                       "2000, unless given",
                         .svg = "one heap-over-time plot per setting (FILE with the setting's name before .svg)",
                         .json = "every measurement and the parsed gctrace lines"},
                        &common);
  app.add_option("--lines", lines, "gctrace lines shown per run in the report")->default_val(lines);
  app.add_option("--requests", requests,
                 "service, steps 4-5: requests of each heap-profiled, benchmarked and traced run at GOGC=100, "
                 "baseline and refactored (0 skips steps 4-5)")
      ->default_val(requests);
  app.add_flag("--refactor", o.params.refactor,
               "service: serve requests the refactored way (step 4: preallocated scratch for the chunks a request "
               "discards, a gort::Pool of evicted entries for the kept one) in the GOGC runs too");
  app.add_option("--out-dir", o.out_dir, "where steps 4-5 write their heap profiles and execution traces")
      ->default_val(o.out_dir);
  app.add_flag("--child", o.child, "internal: run one setting from the environment, JSON on stdout")->group("");
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const bool short_mode = common.short_mode;
  o.short_mode = short_mode;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };

  WorkloadParams& p = o.params;
  if (auto w = parse_workload(scenario)) p.workload = *w;
  else return fail(fmt::format("--scenario '{}': expected 'service' or 'retain'", scenario));
  if (short_mode) {
    if (app.count("--duration") == 0) duration = "1s";
    if (app.count("--live") == 0) live = "4MiB";
    if (app.count("--buffers") == 0) buffers = "40000";
    if (app.count("--pause-every") == 0) pause_every = "2000";
    if (app.count("--requests") == 0) requests = kShortRequests;
  }
  if (auto r = parse_rate(rate)) p.rate_bytes_per_s = *r;
  else return fail(fmt::format("--rate '{}': expected a rate such as 100MB/s, 1.5GB/s, 64MiB/s "
                                                 "(units B, kB, MB, GB, KiB, MiB, GiB; up to 100GB/s)", rate));
  if (auto d = lab::parse_go_duration(duration)) p.duration = *d;
  else return fail(fmt::format("--duration '{}': expected a positive Go duration such as 10s, "
                                                 "500ms, 1m30s", duration));
  if (auto n = lab::parse_integer(workers, 1, kMaxWorkers)) p.workers = static_cast<int>(*n);
  else return fail(fmt::format("--workers '{}': expected an integer 1..{}", workers, kMaxWorkers));
  if (auto b = gort::gc::parse_memory_limit(live); b && *b <= kMaxLiveBytes) p.live_bytes = *b;
  else return fail(fmt::format("--live '{}': expected bytes or a number with B, KiB, MiB, GiB "
                                                 "(at most 16GiB)", live));
  if (auto n = lab::parse_integer(buffers, 1, kMaxBuffers)) p.buffers = *n;
  else return fail(fmt::format("--buffers '{}': expected an integer 1..{}", buffers, kMaxBuffers));
  if (auto n = lab::parse_integer(pause_every, 1, kMaxBuffers)) p.pause_every = *n;
  else return fail(fmt::format("--pause-every '{}': expected an integer 1..{}", pause_every,
                                                 kMaxBuffers));
  if (auto n = lab::parse_integer(requests, 0, kMaxRequests)) o.step_requests = *n;
  else return fail(fmt::format("--requests '{}': expected an integer 0..{} (0 skips steps 4-5)", requests,
                               kMaxRequests));
  if (o.child) p.requests = o.step_requests;  // the child serves exactly this many
  if (auto n = lab::parse_integer(lines, 0, kMaxShownLines)) o.shown_lines = static_cast<int>(*n);
  else return fail(fmt::format("--lines '{}': expected an integer 0..{}", lines, kMaxShownLines));

  std::optional<int64_t> limit;
  if (app.count("--memlimit") > 0) {
    limit = gort::gc::parse_memory_limit(memlimit);
    if (!limit || *limit == 0 || memlimit == "off")
      return fail(fmt::format("--memlimit '{}': expected GOMEMLIMIT's syntax, a positive byte count "
                                                "with an optional B, KiB, MiB, GiB or TiB suffix (512MiB, 1GiB)",
                                                memlimit));
  }
  if (app.count("--gogc") == 0 && !limit) {
    o.settings = course_settings(p.workload, short_mode);
  } else {
    for (const std::string& v : lab::split_list(app.count("--gogc") > 0 ? gogc : std::string("100"))) {
      GcSetting s;
      s.memlimit = limit;
      if (v == "off") {
        s.gogc = std::nullopt;
      } else if (auto n = lab::parse_integer(v, 0, kMaxGogc)) {
        s.gogc = static_cast<int>(*n);
      } else {
        return fail(fmt::format("--gogc '{}': expected comma-separated non-negative integers "
                                                  "(at most {}) or 'off', e.g. 50,100,200,off", gogc, kMaxGogc));
      }
      const bool seen = std::any_of(o.settings.begin(), o.settings.end(),
                                    [&](const GcSetting& t) { return t.gogc == s.gogc; });
      if (!seen) o.settings.push_back(s);
    }
  }
  if (!o.child && p.workload == Workload::Service) {
    for (const GcSetting& s : o.settings) {
      if (!s.gogc && !s.memlimit) {
        fmt::print(stderr, "gc-forensics: note: GOGC=off without --memlimit never collects: the heap will grow to "
                           "about {} x {}\n", rate_text(p.rate_bytes_per_s), duration);
      }
    }
  }
  return o;
}

}  // namespace gclab
