// child.hpp — one run of the experiment in this process (the hidden --child
// mode the lab starts itself in, once per GC setting).
//
// The GC setting comes from the environment, read by gort once at start as Go
// reads it: GOGC, GOMEMLIMIT and GODEBUG=gctrace=1, so the runtime prints its
// gctrace lines to stderr while the workload runs.  The result goes to stdout
// as one JSON object (run_result.hpp), for the parent to read.
#pragma once

#include "params.hpp"

namespace gclab {

/// Runs the workload on gort with the heap sampler and prints the RunResult as
/// JSON on stdout.  Returns the process exit status.
int run_child(const WorkloadParams& p);

}  // namespace gclab
