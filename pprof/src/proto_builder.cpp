// proto_builder.cpp — profile.proto encoding (mirrors profileBuilder in
// golang/go src/runtime/pprof/proto.go; the wire encoder is protobuf.hpp,
// protobuf.go's twin).
//
// The message, field numbers from google/pprof proto/profile.proto:
//   Profile  1 sample_type*  2 sample*  3 mapping*  4 location*  5 function*
//            6 string_table* 9 time_nanos 10 duration_nanos 11 period_type
//            12 period 13 comment* 14 default_sample_type
//   Sample   1 location_id (packed)  2 value (packed)  3 label*
//   Location 1 id  2 mapping_id  3 address  4 line*
//   Line     1 function_id  2 line
//   Function 1 id  2 name  3 system_name  4 filename  5 start_line
//   Mapping  1 id  2 start  3 limit  4 offset  5 filename  6 build_id
//            7 has_functions  8 has_filenames  9 has_line_numbers 10 has_inline_frames
// Every string is an index into string_table, whose entry 0 is "".
//
// Samples are kept as added and encoded at the end, as Go's builder does for
// count profiles.  Each distinct pc becomes one Location (Go's b.locs, keyed
// by address), named once through the builder's Symbolizer at pc-1 (every
// stack entry is a return address) into its lines, innermost first — a call
// inlined at the pc is a Line of its own, which is how pprof wants inlined
// frames.  Functions are shared by (name, file, start line).  A Location's
// address is the looked-up pc (pc-1), as Go writes runtime.Frame.PC.
//
// Mappings are what the writer gave (the runtime's writers: the executable
// regions of /proc/self/maps, Go's readMapping; trace-viewer: none, as
// go tool trace's profiles have none).  A mapping whose locations all have a
// function name is marked has_functions, has_filenames, has_line_numbers and
// has_inline_frames, so pprof keeps the names instead of looking for the
// binary to re-symbolize (Go marks has_functions on the same rule; its inline
// expansion is complete too).  A mapping with a location the symbolizer could
// not name is left unmarked, so pprof may try to symbolize it from the file.
#include <gort/pprof/proto_builder.hpp>

#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "protobuf.hpp"

namespace gort::pprof::proto {

namespace {

// Field numbers of profile.proto (proto.go's tag* constants).
enum : int {
  kProfileSampleType = 1,
  kProfileSample = 2,
  kProfileMapping = 3,
  kProfileLocation = 4,
  kProfileFunction = 5,
  kProfileStringTable = 6,
  kProfileTimeNanos = 9,
  kProfileDurationNanos = 10,
  kProfilePeriodType = 11,
  kProfilePeriod = 12,
  kProfileComment = 13,
  kProfileDefaultSampleType = 14,

  kValueTypeType = 1,
  kValueTypeUnit = 2,

  kSampleLocation = 1,
  kSampleValue = 2,
  kSampleLabel = 3,

  kLabelKey = 1,
  kLabelStr = 2,
  kLabelNum = 3,

  kMappingId = 1,
  kMappingStart = 2,
  kMappingLimit = 3,
  kMappingOffset = 4,
  kMappingFilename = 5,
  kMappingBuildId = 6,
  kMappingHasFunctions = 7,
  kMappingHasFilenames = 8,
  kMappingHasLineNumbers = 9,
  kMappingHasInlineFrames = 10,

  kLocationId = 1,
  kLocationMappingId = 2,
  kLocationAddress = 3,
  kLocationLine = 4,

  kLineFunctionId = 1,
  kLineLine = 2,

  kFunctionId = 1,
  kFunctionName = 2,
  kFunctionSystemName = 3,
  kFunctionFilename = 4,
  kFunctionStartLine = 5,
};

/// What the locations found of a mapping while they were encoded.
struct MappingUse {
  bool all_named = true;  // every location in it has a function name
  bool used = false;      // some location is in it
};

/// Builds the message: strings are interned as they are met and the table
/// written last (Go's stringIndex and b.strings).
class Encoder {
 public:
  int64_t string_index(const std::string& s) {
    auto [it, added] = string_ids_.try_emplace(s, static_cast<int64_t>(strings_.size()));
    if (added) strings_.push_back(s);
    return it->second;
  }

  void value_type(int tag, const ValueType& vt) {
    const std::size_t start = pb.start_message();
    pb.int64(kValueTypeType, string_index(vt.type));
    pb.int64(kValueTypeUnit, string_index(vt.unit));
    pb.end_message(tag, start);
  }

  void string_table() {
    for (const std::string& s : strings_) pb.string(kProfileStringTable, s);
  }

  ProtoBuffer pb;

 private:
  std::unordered_map<std::string, int64_t> string_ids_{{"", 0}};
  std::vector<std::string> strings_{""};
};

}  // namespace

ProtoBuilder::ProtoBuilder(std::vector<ValueType> sample_types, ValueType period_type, int64_t period,
                           Symbolizer symbolize)
    : sample_types_(std::move(sample_types)),
      period_type_(std::move(period_type)),
      period_(period),
      symbolize_(std::move(symbolize)) {}

void ProtoBuilder::set_time_nanos(int64_t t) { time_nanos_ = t; }

void ProtoBuilder::set_duration_nanos(int64_t d) { duration_nanos_ = d; }

void ProtoBuilder::set_default_sample_type(std::string type) { default_sample_type_ = std::move(type); }

void ProtoBuilder::add_comment(std::string comment) { comments_.push_back(std::move(comment)); }

void ProtoBuilder::set_mappings(std::vector<Mapping> mappings) { mappings_ = std::move(mappings); }

void ProtoBuilder::add_sample(std::span<const uint64_t> stack, std::span<const int64_t> values,
                                std::span<const std::pair<std::string, std::string>> labels,
                                std::span<const std::pair<std::string, int64_t>> num_labels) {
  samples_.push_back(Sample{{stack.begin(), stack.end()},
                            {values.begin(), values.end()},
                            {labels.begin(), labels.end()},
                            {num_labels.begin(), num_labels.end()}});
}

std::string ProtoBuilder::encode() const {
  Encoder e;
  ProtoBuffer& pb = e.pb;
  for (const ValueType& vt : sample_types_) e.value_type(kProfileSampleType, vt);

  const std::vector<Mapping>& mem = mappings_;
  std::vector<MappingUse> mem_use(mem.size());

  // Locations, one per distinct pc, with the functions they name (Go's
  // appendLocsForStack + emitLocation).
  std::unordered_map<uint64_t, uint64_t> loc_ids;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> func_ids;
  ProtoBuffer locs, funcs;
  std::vector<SourceLine> frames;
  auto location = [&](uint64_t pc) -> uint64_t {
    auto [it, added] = loc_ids.try_emplace(pc, loc_ids.size() + 1);
    if (!added) return it->second;
    const uint64_t id = it->second;
    const uint64_t addr = pc - 1;
    frames.clear();
    symbolize_(addr, &frames);
    bool named = true;
    const std::size_t start = locs.start_message();
    locs.uint64_opt(kLocationId, id);
    for (std::size_t i = 0; i < mem.size(); ++i) {
      if (mem[i].start <= addr && addr < mem[i].end) {
        locs.uint64_opt(kLocationMappingId, i + 1);
        mem_use[i].used = true;
        break;
      }
    }
    locs.uint64_opt(kLocationAddress, addr);
    for (const SourceLine& f : frames) {
      if (f.function.empty()) {
        named = false;
        continue;  // no Line: pprof shows the address
      }
      auto [fit, fadded] =
          func_ids.try_emplace(std::make_tuple(f.function, f.file, f.start_line), func_ids.size() + 1);
      if (fadded) {
        const std::size_t fs = funcs.start_message();
        funcs.uint64_opt(kFunctionId, fit->second);
        funcs.int64_opt(kFunctionName, e.string_index(f.function));
        funcs.int64_opt(kFunctionSystemName, e.string_index(f.function));
        funcs.int64_opt(kFunctionFilename, e.string_index(f.file));
        funcs.int64_opt(kFunctionStartLine, f.start_line);
        funcs.end_message(kProfileFunction, fs);
      }
      const std::size_t ls = locs.start_message();
      locs.uint64_opt(kLineFunctionId, fit->second);
      locs.int64_opt(kLineLine, f.line);
      locs.end_message(kLocationLine, ls);
    }
    locs.end_message(kProfileLocation, start);
    if (!named) {
      for (std::size_t i = 0; i < mem.size(); ++i) {
        if (mem[i].start <= addr && addr < mem[i].end) mem_use[i].all_named = false;
      }
    }
    return id;
  };

  std::vector<uint64_t> ids;
  for (const Sample& s : samples_) {
    ids.clear();
    for (uint64_t pc : s.stack) ids.push_back(location(pc));
    const std::size_t start = pb.start_message();
    pb.uint64s(kSampleLocation, ids);
    pb.int64s(kSampleValue, s.values);
    for (const auto& [key, str] : s.labels) {
      const std::size_t ls = pb.start_message();
      pb.int64_opt(kLabelKey, e.string_index(key));
      pb.int64_opt(kLabelStr, e.string_index(str));
      pb.end_message(kSampleLabel, ls);
    }
    for (const auto& [key, num] : s.num_labels) {
      const std::size_t ls = pb.start_message();
      pb.int64_opt(kLabelKey, e.string_index(key));
      pb.int64_opt(kLabelNum, num);
      pb.end_message(kSampleLabel, ls);
    }
    pb.end_message(kProfileSample, start);
  }

  for (std::size_t i = 0; i < mem.size(); ++i) {
    const Mapping& m = mem[i];
    const std::size_t start = pb.start_message();
    pb.uint64_opt(kMappingId, i + 1);
    pb.uint64_opt(kMappingStart, m.start);
    pb.uint64_opt(kMappingLimit, m.end);
    pb.uint64_opt(kMappingOffset, m.offset);
    pb.int64_opt(kMappingFilename, e.string_index(m.file));
    const bool symbolized = mem_use[i].used && mem_use[i].all_named;
    pb.bool_opt(kMappingHasFunctions, symbolized);
    pb.bool_opt(kMappingHasFilenames, symbolized);
    pb.bool_opt(kMappingHasLineNumbers, symbolized);
    pb.bool_opt(kMappingHasInlineFrames, symbolized);
    pb.end_message(kProfileMapping, start);
  }
  std::string out = pb.data();
  out += locs.data();
  out += funcs.data();

  ProtoBuffer tail;
  tail.int64_opt(kProfileTimeNanos, time_nanos_);
  tail.int64_opt(kProfileDurationNanos, duration_nanos_);
  out += tail.data();
  e.pb = ProtoBuffer();
  e.value_type(kProfilePeriodType, period_type_);
  e.pb.int64_opt(kProfilePeriod, period_);
  for (const std::string& c : comments_) e.pb.int64(kProfileComment, e.string_index(c));
  if (!default_sample_type_.empty()) e.pb.int64(kProfileDefaultSampleType, e.string_index(default_sample_type_));
  e.string_table();
  out += e.pb.data();
  return out;
}

std::string ProtoBuilder::encode_gzip() const { return gzip_compress(encode()); }

void ProtoBuilder::write_file(const std::string& path) const { write_whole_file(path, encode_gzip()); }

std::string gzip_compress(const std::string& data) {
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("gort::pprof: zlib deflateInit2 failed");
  }
  std::string out;
  out.resize(deflateBound(&zs, data.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("gort::pprof: zlib deflate failed");
  return out;
}

void write_whole_file(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    throw std::runtime_error("gort::pprof: cannot write " + path + ": " + std::strerror(errno));
  }
  const bool wrote = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  const int werr = errno;
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    throw std::runtime_error("gort::pprof: cannot write " + path + ": " + std::strerror(wrote ? errno : werr));
  }
}

}  // namespace gort::pprof::proto
