// env.hpp — the runtime's knobs, read once from the environment at start.
//
// GOMAXPROCS and GODEBUG as Go reads them (runtime1.go parsedebugvars,
// proc.go schedinit).  A malformed value never crashes and is never silently
// ignored: one line on stderr names the variable and the accepted forms, and
// the default is used.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// GODEBUG settings (Go's dbgvars that gort implements).
struct DebugVars {
  int32_t schedtrace = 0;       // print scheduler state every N ms
  int32_t scheddetail = 0;      // with schedtrace: per-P/M/G detail
  int32_t asyncpreemptoff = 0;  // disable asynchronous preemption
  int32_t gctrace = 0;          // one line per GC cycle
  int32_t gccheckmark = 0;      // verify concurrent mark with a STW re-mark
  int32_t gcstoptheworld = 0;   // 1: STW mark, 2: also STW sweep
};

/// The settings in force for this run.
extern DebugVars debug;

/// Parses GODEBUG into `debug` (warning about malformed entries) and returns the
/// P count from GOMAXPROCS or, by default, the CPUs this process may run on.
int32_t read_environment();

/// Number of CPUs in the process's affinity mask (Go's ncpu).
int32_t ncpu();

/// Parses a decimal int32 with optional sign; false if s is not exactly that.
bool parse_int32(const char* s, int32_t* out);

}  // namespace gort::runtime
