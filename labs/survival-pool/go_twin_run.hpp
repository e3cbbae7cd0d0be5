// go_twin_run.hpp — runs the Go twin (go/main.go) with the parameters gort ran.
#pragma once

#include "options.hpp"
#include "results.hpp"

namespace survival {

/// Builds and runs the twin with o's parameters and reads its JSON into
/// run->go, or says why not in run->go_error.
void run_go_twin(const Options& o, LabRun* run);

}  // namespace survival
