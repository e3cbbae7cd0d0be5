// experiments.hpp — the exercise's four parts run on gort: the service under
// a client that gives up, the leak check on its handler variants, the errgroup
// fan-out, the cache stampede and after_func cleanup.
#pragma once

#include <gort/goroutines.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "results.hpp"

namespace ctxlab {

/// The parts, in report order.
inline const std::vector<std::string> kParts = {"service", "leak", "errgroup", "stampede", "afterfunc"};
/// The leak check's handler variants.
inline const std::vector<std::string> kVariants = {"disciplined", "leaky"};

/// Everything the experiments need to know (set from the command line).
struct Config {
  std::vector<std::string> parts = kParts;
  std::vector<std::string> variants = {"disciplined"};
  /// /item's store read and downstream call (part 1 and the leak check).
  std::chrono::nanoseconds store_delay{std::chrono::milliseconds(200)};
  std::chrono::nanoseconds downstream_delay{std::chrono::milliseconds(200)};
  /// How long a client that gives up waits before it does.
  std::chrono::nanoseconds patience{std::chrono::milliseconds(20)};
  /// How long the leak check waits for a request's goroutines to end.
  /// goleak's own bound (gort::goleak::kDefaultMaxWait): ample for a
  /// connection's goroutines to wind down on a loaded machine.
  std::chrono::nanoseconds leak_wait{gort::goleak::kDefaultMaxWait};
  /// The errgroup fan-out.
  int workers = 8;
  int failing_worker = 3;
  std::chrono::nanoseconds fail_after{std::chrono::milliseconds(10)};
  std::chrono::nanoseconds worker_delay{std::chrono::seconds(1)};
  /// The stampede.
  int requests = 1000;
  std::chrono::nanoseconds upstream_delay{std::chrono::seconds(1)};
  /// after_func's timeout case.
  std::chrono::nanoseconds timeout{std::chrono::milliseconds(50)};
  /// GOMAXPROCS (0: the runtime's default).
  int procs = 0;

  /// Whether the named part is to run.
  bool runs(const std::string& part) const;
};

/// Runs the chosen parts.  Precondition: inside gort::run.  Throws
/// std::runtime_error when something the lab waits for never arrives.
RuntimeResults run_experiments(const Config& c);

}  // namespace ctxlab
