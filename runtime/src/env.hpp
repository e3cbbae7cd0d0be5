// env.hpp — the runtime's knobs, read once from the environment at start.
//
// GOMAXPROCS and GODEBUG as Go reads them (runtime1.go parsedebugvars,
// proc.go schedinit), and the collector's GOGC and GOMEMLIMIT (mgcpacer.go
// readGOGC, readGOMEMLIMIT, called from gcinit in schedinit): every knob is read
// and checked when gort::run starts, whether or not the program goes on to use
// the managed heap.  A malformed value never crashes and is never silently
// ignored: one line on stderr names the variable and the accepted forms, and
// the default is used — except GOMEMLIMIT, where Go stops with
// "malformed GOMEMLIMIT" and exit status 2, and so does gort.
#pragma once

#include <cstdint>

namespace gort::runtime {

/// GODEBUG=netpoll: which poller backend (netpoll.cpp).
enum class NetpollChoice : uint8_t {
  Auto,   // io_uring where it works, else epoll with one line saying why
  Uring,  // netpoll=uring: io_uring or exit 2 saying why not
  Epoll,  // netpoll=epoll
};

/// GODEBUG settings (Go's dbgvars that gort implements, and gort's own netpoll).
struct DebugVars {
  int32_t schedtrace = 0;       // print scheduler state every N ms
  int32_t scheddetail = 0;      // with schedtrace: per-P/M/G detail
  int32_t asyncpreemptoff = 0;  // disable asynchronous preemption
  int32_t gctrace = 0;          // one line per GC cycle
  int32_t gccheckmark = 0;      // verify concurrent mark with a STW re-mark
  int32_t gcstoptheworld = 0;   // 1: STW mark, 2: also STW sweep
  NetpollChoice netpoll = NetpollChoice::Auto;
};

/// The settings in force for this run.
extern DebugVars debug;

/// Parses GODEBUG into `debug` (warning about malformed entries) and returns the
/// P count from GOMAXPROCS or, by default, the CPUs this process may run on.
int32_t read_environment();

/// The collector's knobs from the environment (Go's readGOGC/readGOMEMLIMIT).
struct GcEnvironment {
  int32_t gogc = 100;                 // GOGC percentage; -1 for "off" (and any negative value, as Go)
  int64_t memory_limit = INT64_MAX;   // GOMEMLIMIT in bytes; INT64_MAX for "off"/unset
};

/// Parses GOGC and GOMEMLIMIT once per process (later calls return the first
/// result): warns about a malformed GOGC and uses 100; a malformed GOMEMLIMIT is
/// fatal, as in Go.  Called by read_environment at start, and by the pacer.
const GcEnvironment& gc_environment();

/// Number of CPUs in the process's affinity mask (Go's ncpu).
int32_t ncpu();

/// Parses a decimal int32 with optional sign; false if s is not exactly that.
bool parse_int32(const char* s, int32_t* out);

}  // namespace gort::runtime
