// external.hpp — the programs the lab drives from outside: wrk (the load of
// the full run), `go tool pprof` (the allocation profile's top sites) and this
// lab itself as a child (the misuse demonstrations, whose catch ends the
// process).  None of these touch gort: they run on plain threads or outside
// gort::run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "results.hpp"

namespace pool_lab {

/// What wrk --latency reported.
struct WrkResult {
  /// Why wrk did not run or its output could not be read ("" when it did).
  std::string error;
  int64_t requests = 0;
  /// Non-2xx answers plus socket errors.
  int64_t errors = 0;
  double seconds = 0;
  double requests_per_second = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
};

/// Writes wrk's Lua script (POST, the JSON body, Content-Type) into dir and
/// returns its path.  Throws std::runtime_error when it cannot be written.
std::string write_wrk_script(const std::string& dir, const std::string& body);

/// Runs wrk -t threads -c connections -d seconds --latency -s script url and
/// reads its report.  Blocks the calling thread: call it from a plain thread
/// (std::thread), never from a goroutine.
WrkResult run_wrk(const std::string& url, const std::string& script, int threads, int connections, int seconds);

/// The first `n` lines of `go tool pprof -top -sample_index=<index>` of
/// profile (against base with -diff_base when base is not empty): the
/// allocation sites with the most flat objects or bytes.  On failure returns
/// nothing and says why in *error.
std::vector<ProfileSite> pprof_top(const std::string& profile, const std::string& base, const std::string& index,
                                   int n, std::string* error);

/// Runs this program with --misuse mode as a child and reads what caught the
/// misuse: the assertion (every build) or ThreadSanitizer (TSAN build; other
/// builds run the child to show the symptom and say how to see the catch).
MisuseResult run_misuse_child(const std::string& mode);

/// The Go twin's misuse: -misuse=assert on the twin as built for --go, and
/// -misuse=race on a twin built with -race into dir (a minute of compiling the
/// race runtime the first time), unless skip_race (then it only says how).
MisuseResult run_go_misuse(const std::string& mode, const std::string& dir, bool skip_race);

}  // namespace pool_lab
