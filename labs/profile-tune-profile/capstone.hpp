// capstone.hpp — the measured part: the order service of pool-the-hot-path
// (lab gort_lab_order_service) under the in-process load, as repeated runs of
// two settings interleaved, under a CPU profile, or under the execution
// tracer.  Everything here runs inside gort::run, on goroutines.
#pragma once

#include <string>
#include <vector>

#include "options.hpp"
#include "results.hpp"

namespace ptp {

/// One configuration of the service: its response encoder and GOGC.
struct Setting {
  /// "document", "direct", "GOGC=100"...: the label in the report.
  std::string label;
  /// True: the direct encoder (the fix); false: the nlohmann document.
  bool direct = false;
  int gogc = 100;
};

/// Runs c.runs runs of c.requests requests for each of a and b, interleaved
/// (a b, b a, a b, ...) so that drift in the machine's load hits both alike;
/// each setting has its own warmed-up server.  Precondition: a goroutine.
void run_interleaved(const Config& c, const Setting& a, const Setting& b, SideRuns* ra, SideRuns* rb);

/// c.profile_requests requests of setting s under gort's CPU profiler, the
/// profile written to path; fills requests, seconds and path of *out (the top
/// functions are read later with go tool pprof), or error when the profiler
/// cannot start (e.g. --cpuprofile already profiles the process).
/// Precondition: a goroutine.
void profile_load(const Config& c, const Setting& s, const std::string& path, CpuProfileResult* out);

/// c.profile_requests requests of setting s under the execution tracer, the
/// trace written to path; fills setting, path and requests of *out.
/// Precondition: a goroutine; no trace running.
void trace_load(const Config& c, const Setting& s, const std::string& path, TraceFindings* out);

/// True when the document and the direct encoder answer every distinct
/// request of the load with the same bytes.  Precondition: a goroutine.
bool encodings_identical();

/// The --bench-child measurement: c.runs runs of setting s on one warmed-up
/// server, each handed to on_run as soon as it is measured.  Precondition: a
/// goroutine.
void bench_runs(const Config& c, const Setting& s, void (*on_run)(const RunSample&));

}  // namespace ptp
