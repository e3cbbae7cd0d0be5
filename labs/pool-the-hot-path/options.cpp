// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <cstdlib>
#include <filesystem>

namespace pool_lab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "pool-the-hot-path";

/// Most requests per variant for the in-process load: 10^8 is minutes of it.
constexpr int64_t kMaxRequests = 100'000'000;
/// Most connections: the server and the client each hold one descriptor per
/// connection; 10,000 of each fits the raised descriptor limit gort::net asks
/// for at start and is far beyond what a 2-core loopback test needs.
constexpr int64_t kMaxConnections = 10'000;
/// Most wrk threads (wrk's own limit is the connection count).
constexpr int64_t kMaxThreads = 64;
/// Longest wrk run per variant: ten minutes.
constexpr std::chrono::nanoseconds kMaxDuration = std::chrono::minutes(10);
/// Most GOMAXPROCS accepted (as the other labs).
constexpr int64_t kMaxProcs = 256;

#if defined(GORT_TSAN) || defined(GORT_ASAN)
/// --short's request counts are cut further in sanitizer builds: every JSON
/// field and every managed store is instrumented there (5-20x slower).
constexpr int64_t kShortDivisor = 4;
#else
constexpr int64_t kShortDivisor = 1;
#endif

/// True when `name` is an executable file in a directory of $PATH.
bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string p = path;
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    const std::filesystem::path candidate = std::filesystem::path(p.substr(start, end - start)) / name;
    std::error_code ec;
    if (end > start && std::filesystem::is_regular_file(candidate, ec) &&
        (std::filesystem::status(candidate, ec).permissions() & std::filesystem::perms::owner_exec) !=
            std::filesystem::perms::none) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "pool-the-hot-path: the course's week-8 lab (Pool the Hot Path). A JSON order service on gort::http "
      "(POST /order: decode with nlohmann_json into managed objects, price, encode into a byte buffer) under "
      "load: requests/s, p50/p99 latency, allocs/op and GC cycles; the allocation profile's top three sites "
      "(go tool pprof -top -sample_index=alloc_objects); then the encode buffer from a gort::Pool, re-measured; "
      "then the misuse, Put without Reset, caught by an inserted assertion and by the TSAN build. Markdown "
      "report on stdout, progress on stderr."};
  std::string variants = "baseline,pooled", load = "wrk", duration = "10s", requests = "20000", connections = "16",
              threads = "1", profile_requests = "2000", warmup = "2000", procs = "0";
  lab::CommonFlags common;
  app.add_option("--variant", variants, "baseline, pooled or both (comma-separated)")->default_val(variants);
  app.add_option("--load", load,
                 "who sends the requests: wrk (the full run; must be on PATH) or inproc (a client in this process "
                 "sending --requests requests; --short's default)")
      ->default_val(load);
  app.add_option("--duration", duration, "wrk: how long each variant is loaded, a Go duration")->default_val(duration);
  app.add_option("--requests", requests, "inproc: requests per variant")->default_val(requests);
  app.add_option("--connections", connections, "keep-alive connections of the load")->default_val(connections);
  app.add_option("--threads", threads, "wrk: threads (-t)")->default_val(threads);
  app.add_option("--profile-requests", profile_requests,
                 "requests of the profiled phase before each variant's load (MemProfileRate 1)")
      ->default_val(profile_requests);
  app.add_option("--warmup", warmup, "requests sent before each variant's measured load")->default_val(warmup);
  app.add_option("--profile-dir", o.config.profile_dir,
                 "keep the heap profiles (<variant>.pb.gz, gort and Go) in this directory (default: a temporary "
                 "directory, removed after the report)");
  app.add_option("--misuse", o.misuse,
                 "run only the misuse in this process: assert (Put without Reset; the inserted assertion stops "
                 "the process with status 3) or race (Put without Reset and keep using the buffer; a TSAN build "
                 "reports the data race)");
  app.add_flag("--no-misuse", o.no_misuse, "skip the misuse children of the run");
  app.add_option("--procs", procs, "GOMAXPROCS for the runs (0: the runtime's default, the CPU count)")
      ->default_val(procs);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "the in-process load, 1000 requests per variant (250 in sanitizer builds), "
                                       "4 connections, unless given",
                         .svg = "the latency CDF of each variant and runtime (through wrk's percentiles under wrk)",
                         .go_extra = " (net/http, encoding/json, sync.Pool) with the same parameters"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  o.short_mode = common.short_mode;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    if (app.count("--load") == 0) load = "inproc";
    if (app.count("--requests") == 0) requests = std::to_string(1000 / kShortDivisor);
    if (app.count("--connections") == 0) connections = "4";
    if (app.count("--profile-requests") == 0) profile_requests = std::to_string(200 / kShortDivisor);
    if (app.count("--warmup") == 0) warmup = std::to_string(100 / kShortDivisor);
  }
  Config& c = o.config;
  const auto names = lab::parse_subset(variants, {"baseline", "pooled"});
  if (!names || names->empty()) {
    return fail(fmt::format("--variant '{}': expected baseline, pooled or baseline,pooled", variants));
  }
  for (const std::string& n : *names) c.variants.push_back(n == "baseline" ? Variant::kBaseline : Variant::kPooled);
  if (load != "wrk" && load != "inproc") return fail(fmt::format("--load '{}': expected wrk or inproc", load));
  c.use_wrk = load == "wrk";
  if (!o.misuse.empty() && o.misuse != "assert" && o.misuse != "race") {
    return fail(fmt::format("--misuse '{}': expected assert or race", o.misuse));
  }
  const auto integer = [&](const char* flag, const std::string& v, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto n = lab::parse_integer(v, lo, hi);
    if (!n) fail(fmt::format("{} '{}': expected a number {}..{}", flag, v, lo, hi));
    return n;
  };
  auto n_requests = integer("--requests", requests, 1, kMaxRequests);
  if (!n_requests) return std::nullopt;
  auto n_conns = integer("--connections", connections, 1, kMaxConnections);
  if (!n_conns) return std::nullopt;
  auto n_threads = integer("--threads", threads, 1, kMaxThreads);
  if (!n_threads) return std::nullopt;
  auto n_profile = integer("--profile-requests", profile_requests, 1, kMaxRequests);
  if (!n_profile) return std::nullopt;
  auto n_warmup = integer("--warmup", warmup, 0, kMaxRequests);
  if (!n_warmup) return std::nullopt;
  auto n_procs = integer("--procs", procs, 0, kMaxProcs);
  if (!n_procs) return std::nullopt;
  auto d = lab::parse_go_duration(duration);
  if (!d || *d < std::chrono::seconds(1) || *d > kMaxDuration) {
    return fail(fmt::format("--duration '{}': expected a Go duration from 1s to 10m (wrk counts whole seconds)",
                            duration));
  }
  if (*n_threads > *n_conns) {
    return fail(fmt::format("--threads {}: wrk needs at least one connection per thread (--connections {})",
                            *n_threads, *n_conns));
  }
  c.requests = *n_requests;
  c.connections = static_cast<int>(*n_conns);
  c.threads = static_cast<int>(*n_threads);
  c.profile_requests = *n_profile;
  c.warmup_requests = *n_warmup;
  c.procs = static_cast<int>(*n_procs);
  c.duration = std::chrono::duration_cast<std::chrono::seconds>(*d);
  if (c.use_wrk && o.misuse.empty() && !on_path("wrk")) {
    fmt::print(stderr,
               "{}: wrk is not on PATH (Debian package wrk; scripts/install-deps.sh installs it); "
               "run with --load inproc for the in-process client instead\n",
               kLab);
    *exit_code = kNoWrkExitCode;
    return std::nullopt;
  }
  return o;
}

}  // namespace pool_lab
