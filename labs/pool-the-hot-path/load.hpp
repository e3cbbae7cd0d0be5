// load.hpp — the experiment on gort: each variant's server on 127.0.0.1:0,
// a profiled phase, a warm-up and the measured load (wrk, or the in-process
// client of keep-alive connections), with MemStats and the C++ heap counter
// read around it; and the misuse child's run.
#pragma once

#include <string>

#include "options.hpp"
#include "results.hpp"

namespace pool_lab {

/// Runs every variant of c and returns gort's results; the heap profiles go
/// to profile_dir as gort-<variant>.pb.gz.  Precondition: called from the
/// main goroutine (inside gort::run).
RuntimeResult run_experiment(const Config& c, const std::string& profile_dir);

/// The misuse child (--misuse assert|race): serves the misusing variant and
/// sends it a bounded series of requests on one connection.  Returns 0 when
/// the series ended without a catch (then stdout names the response sizes the
/// client saw); the assertion ends the process before that with status
/// kAssertionExitCode, ThreadSanitizer with its own.
int run_misuse(const std::string& mode);

}  // namespace pool_lab
