// pgo.hpp — step 5: GCC's profile-guided optimisation of the service and of
// gort itself, which PGO_SOURCE_DIR's tree compiles into this program.
//
// A scratch build directory is configured from the source tree with
// -fprofile-generate and builds this lab (and with it gort's runtime, net,
// gc and the service library); that instrumented binary runs the load
// (--bench-child) and writes a .gcda file beside each object; the directory is
// then reconfigured with -fprofile-use -fprofile-partial-training and rebuilt,
// and the release binary (this one) and the PGO binary are measured as
// interleaved child runs of the same load.  Go's counterpart, default.pgo,
// arrived in Go 1.21; the toolchain here (1.19) has none.
#pragma once

#include <string>

#include "options.hpp"
#include "results.hpp"

namespace ptp {

/// Runs step 5 (or records why it is skipped: c.run_pgo false); gogc is the
/// tuned GOGC the service runs with.  Blocks for minutes of compiling.
/// Precondition: outside gort::run (it waits for child processes).
PgoResult run_pgo_step(const Config& c, int gogc);

/// The --bench-child command line for a binary: the fixed service (direct
/// encoder) at GOGC gogc, `runs` runs of c.requests requests.
std::vector<std::string> bench_child_argv(const std::string& binary, const Config& c, int runs, int gogc);

/// Reads a --bench-child's stdout (one JSON object per run) into samples;
/// false when a line is not one.
bool parse_bench_child(const std::string& out, std::vector<RunSample>* samples);

}  // namespace ptp
