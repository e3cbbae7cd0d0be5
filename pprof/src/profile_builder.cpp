// profile_builder.cpp — the runtime's symbolizer and /proc/self/maps behind
// the profiles this process writes of itself (Go's profileBuilder reads the
// same two: runtime.Frames and readMapping).  The encoding is proto_builder.cpp.
#include "profile_builder.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include <gort/runtime/internal/symbolize.hpp>

namespace gort::pprof::detail {

namespace {

/// Names addr with the runtime's symbolizer, inline frames first.
void symbolize_with_runtime(uint64_t addr, std::vector<proto::SourceLine>* out) {
  std::vector<runtime::SymbolizedFrame> frames;
  runtime::symbolize_frames(static_cast<uintptr_t>(addr), &frames);
  for (runtime::SymbolizedFrame& f : frames) {
    out->push_back(proto::SourceLine{std::move(f.function), std::move(f.file), f.line, f.start_line});
  }
}

}  // namespace

std::vector<proto::Mapping> read_mappings() {
  std::vector<proto::Mapping> out;
  std::ifstream in("/proc/self/maps");
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long lo = 0, hi = 0, off = 0, inode = 0;
    char perms[8] = {};
    char dev[32] = {};
    int path_at = 0;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %31s %llu %n", &lo, &hi, perms, &off, dev, &inode, &path_at) <
        6) {
      continue;
    }
    if (std::strlen(perms) < 3 || perms[2] != 'x') continue;
    std::string file = path_at > 0 ? line.substr(static_cast<std::size_t>(path_at)) : std::string();
    constexpr std::string_view kDeleted = " (deleted)";  // a replaced binary (Go trims it too)
    if (file.size() > kDeleted.size() && file.ends_with(kDeleted)) file.resize(file.size() - kDeleted.size());
    out.push_back(proto::Mapping{lo, hi, off, std::move(file)});
  }
  return out;
}

ProfileBuilder::ProfileBuilder(std::vector<ValueType> sample_types, ValueType period_type, int64_t period)
    : proto::ProtoBuilder(std::move(sample_types), std::move(period_type), period, &symbolize_with_runtime) {
  set_mappings(read_mappings());
}

}  // namespace gort::pprof::detail
