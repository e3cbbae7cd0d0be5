// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

namespace ctxlab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "context-discipline";

/// Most concurrent stampede requests: each holds two connections (client and
/// server side) in this one process, and TSAN stops near 8,128 threads
/// (goroutines count as threads); 2,000 requests stay well inside both.
constexpr int64_t kMaxRequests = 2000;
/// Most fan-out workers: the course's 8, a few hundred to watch the spread.
constexpr int64_t kMaxWorkers = 1000;
/// Most GOMAXPROCS accepted (as the other labs).
constexpr int64_t kMaxProcs = 256;
/// Longest delay, patience or timeout: one minute (each part waits a few of them).
constexpr std::chrono::nanoseconds kMaxDelay = std::chrono::minutes(1);

#if defined(GORT_TSAN) || defined(GORT_ASAN)
/// --short's stampede requests in sanitizer builds: every connection's
/// socket calls, channel and context operations are instrumented there, and
/// 1,000 fresh connections take some seconds per run under TSAN; 200 keep the
/// short run within the test budget and still miss the cache together.
constexpr const char* kShortRequests = "200";
#else
constexpr const char* kShortRequests = "1000";
#endif

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "context-discipline: the course's week-11 lab (Context Discipline). A small HTTP service on gort::http whose "
      "every blocking operation (a slow store, a downstream call over gort::net) takes the request context, "
      "shown returning early when the client gives up; a leak check that fails any goroutine that outlived its "
      "request (--variant leaky shows it catching one); an errgroup fan-out cancelled on the first error; a cache "
      "stampede with and without SingleFlight; after_func cleanup under timeout and explicit cancel. Markdown "
      "report on stdout, progress on stderr."};
  std::string parts = "service,leak,errgroup,stampede,afterfunc", variant = "disciplined", store_delay = "200ms",
              downstream_delay = "200ms", patience = "20ms", leak_wait = "1s", workers = "8", failing = "3",
              fail_after = "10ms", worker_delay = "1s", requests = "1000", upstream_delay = "1s", timeout = "50ms",
              procs = "0";
  lab::CommonFlags common;
  app.add_option("--parts", parts, "what to run: service, leak, errgroup, stampede, afterfunc (comma-separated)")
      ->default_val(parts);
  app.add_option("--variant", variant,
                 "leak: handler variants to check: disciplined, leaky (comma-separated; leaky makes the check fail "
                 "and the program exit 1)")
      ->default_val(variant);
  app.add_option("--store-delay", store_delay, "service: the slow store's read time, a Go duration")
      ->default_val(store_delay);
  app.add_option("--downstream-delay", downstream_delay, "service: the downstream service's answer time")
      ->default_val(downstream_delay);
  app.add_option("--patience", patience, "service, leak: how long a client that gives up waits")->default_val(patience);
  app.add_option("--leak-wait", leak_wait, "leak: how long the check waits for a request's goroutines to end")
      ->default_val(leak_wait);
  app.add_option("--workers", workers, "errgroup: workers of the fan-out (the course: 8)")->default_val(workers);
  app.add_option("--failing-worker", failing, "errgroup: the index of the worker that fails")->default_val(failing);
  app.add_option("--fail-after", fail_after, "errgroup: when that worker fails")->default_val(fail_after);
  app.add_option("--worker-delay", worker_delay, "errgroup: how long the other workers' store reads take")
      ->default_val(worker_delay);
  app.add_option("--requests", requests, "stampede: concurrent requests for the one uncached key (the course: 1000)")
      ->default_val(requests);
  app.add_option("--upstream-delay", upstream_delay, "stampede: the upstream store's read time")
      ->default_val(upstream_delay);
  app.add_option("--timeout", timeout, "afterfunc: the timeout of the timeout case")->default_val(timeout);
  app.add_option("--procs", procs, "GOMAXPROCS for the runs (0: the runtime's default, the CPU count)")
      ->default_val(procs);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "store and downstream delays of 1s (so the giving-up clients always give up "
                                       "first), a 500ms upstream delay, unless given (the stampede keeps its 1000 requests, 200 in sanitizer builds)",
                         .svg = "each fan-out worker's time to observe the cancellation, per runtime,",
                         .go_extra = " with the same parameters and parts"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    // The store and downstream delays grow to 1s: the clients that give up
    // after 20ms must do so before either operation could finish, even on a
    // loaded machine that stalls a goroutine or a timer for tens of
    // milliseconds (seen here: a 40ms late timer).  Only the patient client
    // waits them out.  The upstream read shrinks to 0.5s.
    if (app.count("--store-delay") == 0) store_delay = "1s";
    if (app.count("--downstream-delay") == 0) downstream_delay = "1s";
    if (app.count("--upstream-delay") == 0) upstream_delay = "500ms";
    if (app.count("--requests") == 0) requests = kShortRequests;
  }
  Config& c = o.config;
  auto p = lab::parse_subset(parts, kParts);
  if (!p) {
    return fail(fmt::format("--parts '{}': expected comma-separated names from service, leak, errgroup, stampede, "
                            "afterfunc",
                            parts));
  }
  c.parts = *p;
  auto v = lab::parse_subset(variant, kVariants);
  if (!v) return fail(fmt::format("--variant '{}': expected disciplined, leaky or both (comma-separated)", variant));
  c.variants = *v;
  const auto integer = [&](const char* flag, const std::string& s, int64_t lo, int64_t hi) -> std::optional<int64_t> {
    auto n = lab::parse_integer(s, lo, hi);
    if (!n) fail(fmt::format("{} '{}': expected a number {}..{}", flag, s, lo, hi));
    return n;
  };
  const auto duration = [&](const char* flag, const std::string& s) -> std::optional<std::chrono::nanoseconds> {
    auto d = lab::parse_go_duration(s);
    if (!d || *d > kMaxDelay) {
      fail(fmt::format("{} '{}': expected a positive Go duration up to 1m (e.g. 100ms)", flag, s));
      return std::nullopt;
    }
    return d;
  };
  auto n_workers = integer("--workers", workers, 1, kMaxWorkers);
  if (!n_workers) return std::nullopt;
  auto n_failing = integer("--failing-worker", failing, 0, *n_workers - 1);
  if (!n_failing) return std::nullopt;
  auto n_requests = integer("--requests", requests, 1, kMaxRequests);
  if (!n_requests) return std::nullopt;
  auto n_procs = integer("--procs", procs, 0, kMaxProcs);
  if (!n_procs) return std::nullopt;
  const std::pair<const char*, std::string*> durations[] = {
      {"--store-delay", &store_delay}, {"--downstream-delay", &downstream_delay}, {"--patience", &patience},
      {"--leak-wait", &leak_wait},     {"--fail-after", &fail_after},             {"--worker-delay", &worker_delay},
      {"--upstream-delay", &upstream_delay}, {"--timeout", &timeout}};
  std::chrono::nanoseconds* targets[] = {&c.store_delay, &c.downstream_delay, &c.patience,       &c.leak_wait,
                                         &c.fail_after,  &c.worker_delay,     &c.upstream_delay, &c.timeout};
  for (std::size_t i = 0; i < std::size(durations); ++i) {
    auto d = duration(durations[i].first, *durations[i].second);
    if (!d) return std::nullopt;
    *targets[i] = *d;
  }
  if (c.patience >= c.store_delay || c.patience >= c.downstream_delay) {
    return fail(fmt::format("--patience '{}': must be shorter than --store-delay and --downstream-delay, or the "
                            "client never gives up",
                            patience));
  }
  c.workers = static_cast<int>(*n_workers);
  c.failing_worker = static_cast<int>(*n_failing);
  c.requests = static_cast<int>(*n_requests);
  c.procs = static_cast<int>(*n_procs);
  return o;
}

}  // namespace ctxlab
