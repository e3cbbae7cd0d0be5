// go_twin_run.hpp — runs the Go twin (go/main.go) with the parameters gort ran:
// once for the layouts and false sharing, then once per array under
// GODEBUG=gctrace=1, as the gort side runs its children.
#pragma once

#include "options.hpp"
#include "results.hpp"

namespace layoutlab {

/// Builds and runs the twin with o's parameters and reads its results into
/// run->go, or says why not in run->go_error.
void run_go_twin(const Options& o, LabRun* run);

}  // namespace layoutlab
