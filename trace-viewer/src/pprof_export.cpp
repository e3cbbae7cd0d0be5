// pprof_export.cpp — see pprof_export.hpp.  Go: buildProfile in src/cmd/trace/pprof.go.
#include "pprof_export.hpp"

#include <gort/pprof/proto_builder.hpp>

#include <array>

namespace gort::viewer {

std::optional<TraceProfileKind> parse_trace_profile_kind(std::string_view name) {
  if (name == "net") return TraceProfileKind::Net;
  if (name == "sync") return TraceProfileKind::Sync;
  if (name == "syscall") return TraceProfileKind::Syscall;
  if (name == "sched") return TraceProfileKind::Sched;
  return std::nullopt;
}

const Profile& trace_profile(const BlockingAnalysis& a, TraceProfileKind kind) {
  switch (kind) {
    case TraceProfileKind::Net:
      return a.network;
    case TraceProfileKind::Sync:
      return a.sync;
    case TraceProfileKind::Syscall:
      return a.syscall;
    case TraceProfileKind::Sched:
      break;
  }
  return a.sched;
}

std::string trace_profile_proto(const Trace& trace, const Profile& profile) {
  namespace proto = gort::pprof::proto;
  // The trace's stacks hold return addresses and its Frame records are keyed
  // by them; the builder looks each one up at pc-1.
  auto name_from_frames = [&trace](uint64_t addr, std::vector<proto::SourceLine>* out) {
    const FrameInfo* f = trace.frame(addr + 1);
    if (f == nullptr) return;
    out->push_back(proto::SourceLine{std::string(trace.string(f->func)), std::string(trace.string(f->file)),
                                     static_cast<int>(f->line), 0});
  };
  proto::ProtoBuilder b({{"contentions", "count"}, {"delay", "nanoseconds"}}, {"trace", "count"}, 1,
                        name_from_frames);
  for (const ProfileEntry& e : profile.entries) {
    const std::array<int64_t, 2> values{static_cast<int64_t>(e.count), e.total};
    b.add_sample(trace.stack(e.stack), values);
  }
  return b.encode_gzip();
}

}  // namespace gort::viewer
