// pprof_export.hpp — the pprof profiles a trace yields (mirrors `go tool trace
// -pprof=TYPE`, src/cmd/trace/pprof.go): the blocking analysis's network,
// synchronization, syscall and scheduler-latency profiles as profile.proto,
// which `go tool pprof` reads.
//
// As Go's buildProfile: sample types contentions/count and delay/nanoseconds,
// period type trace/count, period 1; one sample per distinct stack (stacks
// with the same pcs are one, as in the blocking analysis); one Location per
// pc, named by the trace's Frame record of that pc (one line each: a trace
// does not record inline frames), no mappings.  A pc without a Frame record
// is a Location with its address only.
#pragma once

#include "analysis/blocking.hpp"
#include "reader.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace gort::viewer {

/// The profiles go tool trace -pprof names: net (IO wait), sync (channels,
/// select, sync primitives), syscall (blocking calls), sched (runnable time).
enum class TraceProfileKind { Net, Sync, Syscall, Sched };

/// The kind named by "net", "sync", "syscall" or "sched"; nullopt for any other text.
std::optional<TraceProfileKind> parse_trace_profile_kind(std::string_view name);

/// The profile of that kind in analysis (computed from trace).
const Profile& trace_profile(const BlockingAnalysis& analysis, TraceProfileKind kind);

/// The gzipped profile.proto of profile, whose stack ids are trace's.
std::string trace_profile_proto(const Trace& trace, const Profile& profile);

}  // namespace gort::viewer
