// options.hpp — the lab's command line (CLI11): the variants, the load (wrk or
// the in-process client), the profile, the misuse modes, --short for the test
// suite, and one clear line plus exit status 2 for a malformed value.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "service.hpp"

namespace pool_lab {

/// Exit status when --load wrk is asked for and wrk is not installed.
inline constexpr int kNoWrkExitCode = 4;

/// What the experiment runs.
struct Config {
  /// baseline and/or pooled, in that order.
  std::vector<Variant> variants;
  /// true: wrk drives the load for `duration`; false: the in-process client
  /// sends `requests` requests.
  bool use_wrk = true;
  std::chrono::nanoseconds duration = std::chrono::seconds(10);
  int64_t requests = 0;
  /// Keep-alive connections, and wrk's threads.
  int connections = 16;
  int threads = 1;
  /// Requests of the profiled phase (in-process, MemProfileRate 1).
  int64_t profile_requests = 0;
  /// Requests sent before measuring (warm caches, a filled pool).
  int64_t warmup_requests = 0;
  /// GOMAXPROCS (0: the runtime's default).
  int procs = 0;
  /// Where the profiles go (empty: a temporary directory removed at the end).
  std::string profile_dir;
};

/// Everything the command line decides.
struct Options {
  Config config;
  /// --misuse assert|race: run only that misuse, in this process ("" none).
  std::string misuse;
  /// Skip the misuse children of a full run.
  bool no_misuse = false;
  std::string svg_path;
  std::string json_path;
  bool with_go = false;
  /// --short: the test suite's quick run (the Go twin's race build is skipped).
  bool short_mode = false;
};

/// Parses argv.  Returns nullopt when the program should exit at once with
/// *exit_code: 0 after --help, 2 after a malformed flag (one line on stderr
/// naming the flag and its accepted forms), kNoWrkExitCode when --load wrk
/// was asked for and wrk is not on PATH.
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace pool_lab
