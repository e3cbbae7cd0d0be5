// profile_builder.hpp — the runtime's profiles' builder: a ProtoBuilder that
// names addresses with the running program's own symbolizer (libdw, inline
// frames expanded) and maps them to this process's executable regions.
#pragma once

#include <gort/pprof/proto_builder.hpp>

#include <cstdint>
#include <vector>

namespace gort::pprof::detail {

using proto::ValueType;
using proto::gzip_compress;
using proto::write_whole_file;

/// The executable regions of /proc/self/maps now (mirrors parseProcSelfMaps:
/// "lo-hi perms offset dev inode [path]", " (deleted)" trimmed).
std::vector<proto::Mapping> read_mappings();

/// A ProtoBuilder for this process: symbolize_frames names each address, and
/// the mappings are read when it is made (Go's newProfileBuilder reads them
/// then too).  Not thread-safe: one builder per writer.
class ProfileBuilder : public proto::ProtoBuilder {
 public:
  /// See ProtoBuilder's constructor; the symbolizer takes the runtime's symbolizer lock.
  ProfileBuilder(std::vector<ValueType> sample_types, ValueType period_type, int64_t period);
};

}  // namespace gort::pprof::detail
