// analysis.hpp — reading what the measured runs left behind: a CPU profile's
// top functions through the real `go tool pprof -top` (each frame said to be
// the runtime's or the program's), the fix's estimate from them, and an
// execution trace through trace-viewer's own analyses (GC cycles and pauses,
// scheduler latency, minimum mutator utilisation).
#pragma once

#include <string>

#include "results.hpp"

namespace ptp {

/// Runs `go tool pprof -top` on out->path (symbols from binary, when not
/// empty: gort's profiles name addresses the binary resolves) and fills
/// out->top with the n functions of most flat time and out->focus with the
/// cumulative shares of the service's own functions; sets out->error when go
/// or the profile fails.  Precondition: not on a goroutine (it waits for a
/// child process).
void read_cpu_top(const std::string& binary, int n, CpuProfileResult* out);

/// Who a profile frame belongs to, for the report's "whose" column.
std::string frame_owner(const std::string& name);

/// The fix's expected saving in CPU per request (percent), from the profile
/// before it: the document encoder's share (price_order and encode_into,
/// cumulative) less what writing the same bytes directly still costs, taken
/// as half of encode_into's share (number formatting and copying stay); for
/// the Go twin's profile encodeDocument less half of its json Encode.
double estimate_fix_saving(const CpuProfileResult& before);

/// Reads out->path with trace-viewer's reader, ordering, timeline and its GC,
/// scheduler-latency and MMU analyses; sets out->error when it cannot.
void analyze_trace(TraceFindings* out);

}  // namespace ptp
