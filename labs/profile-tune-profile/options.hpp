// options.hpp — the lab's flags, parsed and checked (options.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ptp {

/// What --pgo asked for: auto runs step 5 in the full mode and skips it with
/// --short; on and off force it.
enum class PgoMode { kAuto, kOn, kOff };

/// The experiment's parameters.
struct Config {
  bool short_mode = false;
  /// Requests per measured run, and the repeated runs per setting.
  int64_t requests = 20000;
  int runs = 10;
  /// Keep-alive connections of the in-process client.
  int connections = 16;
  /// Requests under each CPU profile (steps 1 and 3) and each trace (step 4).
  int64_t profile_requests = 60000;
  /// Requests before the first measured run of a server.
  int64_t warmup = 2000;
  /// Step 4's fix: the GOGC of the tuned runs (GOGC=100 before).
  int gogc = 400;
  /// GOMAXPROCS (0: the CPU count).
  int procs = 0;
  /// Step 5: whether to build and measure the PGO binary, and why not.
  bool run_pgo = false;
  std::string pgo_skip_reason;
  /// Step 5's scratch build directory.
  std::string pgo_dir;
  /// Where profiles and traces go (empty: a temporary directory, removed).
  std::string work_dir;
};

/// What a --bench-child run measures (step 5 runs this program, and the PGO
/// binary, in this mode).
struct ChildConfig {
  bool enabled = false;
  bool direct = true;
  int gogc = 100;
};

/// The command line.
struct Options {
  Config config;
  ChildConfig child;
  std::string svg_path, json_path;
  bool with_go = false;
};

/// Parses argv; on --help or a malformed flag prints and returns nullopt with
/// *exit_code set (0 or 2).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace ptp
