// go_side.hpp — the Go twin (go/): its measurements with the parameters gort
// ran, its loops through `go tool objdump -s`, and what `go build
// -gcflags=-m` says about boxing and devirtualising.
#pragma once

#include "options.hpp"
#include "results.hpp"

namespace ifacebench {

/// The twin's functions for go tool objdump, with Go 1.19's symbol names
/// (a generic function's instantiation is named for its GC shape).
std::vector<DisasmTarget> go_disasm_targets(const ExperimentConfig& c);

/// Builds and runs the twin with o's parameters, disassembles it and reads
/// the compiler's escape analysis into run; what could not be done is said
/// in run->go_error (the rest still runs).
void run_go_side(const Options& o, LabRun* run);

}  // namespace ifacebench
