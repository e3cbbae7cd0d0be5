// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

namespace ptp {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "profile-tune-profile";

/// Most requests per run or profile: 10^8 is most of an hour of this service.
constexpr int64_t kMaxRequests = 100'000'000;
/// Most repeated runs per setting (the U test's exact table stays small below 50 in all).
constexpr int64_t kMaxRuns = 100;
/// Most keep-alive connections (each is a goroutine and a socket pair).
constexpr int64_t kMaxConnections = 1000;
/// GOGC range accepted for the tuned setting (Go accepts any; beyond 10000 the
/// heap goal is a hundredfold the live heap and nothing more is learned).
constexpr int64_t kMinGogc = 10, kMaxGogc = 10000;
/// Most GOMAXPROCS accepted (as the other labs).
constexpr int64_t kMaxProcs = 256;

#if defined(GORT_TSAN) || defined(GORT_ASAN)
/// --short's request counts are cut further in sanitizer builds: every JSON
/// field and every managed store is instrumented there (5-20x slower).
constexpr int64_t kShortDivisor = 4;
#else
constexpr int64_t kShortDivisor = 1;
#endif

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  Config& c = o.config;
  CLI::App app{
      "profile-tune-profile: the course's week-23 lab (profile, tune, profile again). The JSON order service "
      "of pool-the-hot-path under an in-process load: 1. a CPU profile (gort::pprof, read with go tool pprof "
      "-top) and its top five functions, runtime's and program's; 2. the fix picked from it, with its win "
      "estimated first; 3. the fix measured, N interleaved runs per side in a benchstat-like table, and "
      "re-profiled; 4. an execution trace of the same load, a GC stall found by trace-viewer's analysis and "
      "fixed (GOGC); 5. GCC's profile-guided optimisation of the service and gort (-fprofile-generate, "
      "-fprofile-use) measured the same way. Markdown report on stdout, progress on stderr."};
  std::string requests = "20000", runs = "10", connections = "16", profile_requests = "60000", warmup = "2000",
              gogc = "400", procs = "0", pgo = "auto", encoding = "direct", child_gogc = "100";
  lab::CommonFlags common;
  app.add_option("--requests", requests, "requests per measured run")->default_val(requests);
  app.add_option("--runs", runs, "repeated runs per setting, interleaved (benchstat's -count)")->default_val(runs);
  app.add_option("--connections", connections, "keep-alive connections of the in-process client")
      ->default_val(connections);
  app.add_option("--profile-requests", profile_requests, "requests under each CPU profile and each trace")
      ->default_val(profile_requests);
  app.add_option("--warmup", warmup, "requests before a server's first measured run")->default_val(warmup);
  app.add_option("--gogc", gogc, "step 4's fix: GOGC of the tuned runs (before: 100)")->default_val(gogc);
  app.add_option("--procs", procs, "GOMAXPROCS (0: the runtime's default, the CPU count)")->default_val(procs);
  app.add_option("--pgo", pgo,
                 "step 5, GCC PGO: auto (in the full mode, not with --short: minutes of compiling), on, off")
      ->default_val(pgo);
  app.add_option("--pgo-dir", c.pgo_dir,
                 "step 5's scratch build directory (default: pgo-build beside this program)");
  app.add_option("--work-dir", c.work_dir, "keep the CPU profiles and traces there (default: a temporary directory)");
  app.add_flag("--bench-child", o.child.enabled,
               "measure only: --runs runs of --requests requests, one JSON line per run (step 5 runs the "
               "release and the PGO binary this way)");
  app.add_option("--encoding", encoding, "--bench-child: the service's encoder, document or direct")
      ->default_val(encoding);
  app.add_option("--child-gogc", child_gogc, "--bench-child: GOGC")->default_val(child_gogc);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "3 runs of 400 requests per setting (100 in sanitizer builds), 1000 profiled "
                                       "requests, step 5 skipped",
                         .svg = "each setting's requests/s per run, step by step,",
                         .go_extra = " (net/http, encoding/json, runtime/pprof, runtime/trace)"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  c.short_mode = common.short_mode;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (c.short_mode) {
    if (app.count("--requests") == 0) requests = std::to_string(400 / kShortDivisor);
    if (app.count("--runs") == 0) runs = "3";
    if (app.count("--connections") == 0) connections = "4";
    if (app.count("--profile-requests") == 0) profile_requests = std::to_string(1000 / kShortDivisor);
    if (app.count("--warmup") == 0) warmup = std::to_string(100 / kShortDivisor);
  }
  const auto integer = [&](const char* flag, const std::string& v, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto n = lab::parse_integer(v, lo, hi);
    if (!n) fail(fmt::format("{} '{}': expected a number {}..{}", flag, v, lo, hi));
    return n;
  };
  auto n_requests = integer("--requests", requests, 1, kMaxRequests);
  if (!n_requests) return std::nullopt;
  auto n_runs = integer("--runs", runs, 1, kMaxRuns);
  if (!n_runs) return std::nullopt;
  auto n_conns = integer("--connections", connections, 1, kMaxConnections);
  if (!n_conns) return std::nullopt;
  auto n_profile = integer("--profile-requests", profile_requests, 1, kMaxRequests);
  if (!n_profile) return std::nullopt;
  auto n_warmup = integer("--warmup", warmup, 0, kMaxRequests);
  if (!n_warmup) return std::nullopt;
  auto n_gogc = integer("--gogc", gogc, kMinGogc, kMaxGogc);
  if (!n_gogc) return std::nullopt;
  auto n_child_gogc = integer("--child-gogc", child_gogc, kMinGogc, kMaxGogc);
  if (!n_child_gogc) return std::nullopt;
  auto n_procs = integer("--procs", procs, 0, kMaxProcs);
  if (!n_procs) return std::nullopt;
  if (encoding != "document" && encoding != "direct") {
    return fail(fmt::format("--encoding '{}': expected document or direct", encoding));
  }
  PgoMode mode;
  if (pgo == "auto") {
    mode = PgoMode::kAuto;
  } else if (pgo == "on") {
    mode = PgoMode::kOn;
  } else if (pgo == "off") {
    mode = PgoMode::kOff;
  } else {
    return fail(fmt::format("--pgo '{}': expected auto, on or off", pgo));
  }
  c.requests = *n_requests;
  c.runs = static_cast<int>(*n_runs);
  c.connections = static_cast<int>(*n_conns);
  c.profile_requests = *n_profile;
  c.warmup = *n_warmup;
  c.gogc = static_cast<int>(*n_gogc);
  c.procs = static_cast<int>(*n_procs);
  o.child.direct = encoding == "direct";
  o.child.gogc = static_cast<int>(*n_child_gogc);
  if (mode == PgoMode::kOff) {
    c.pgo_skip_reason = "--pgo off";
  } else if (mode == PgoMode::kAuto && c.short_mode) {
    c.pgo_skip_reason =
        "--short: step 5 builds the service and gort twice (-fprofile-generate, then -fprofile-use), minutes of "
        "compiling; run the full mode or --pgo on";
  }
#if defined(GORT_TSAN) || defined(GORT_ASAN)
  if (c.pgo_skip_reason.empty()) {
    c.pgo_skip_reason = "a sanitizer build: PGO is measured against the release build (build/), not this one";
  }
#endif
  c.run_pgo = c.pgo_skip_reason.empty();
  return o;
}

}  // namespace ptp
