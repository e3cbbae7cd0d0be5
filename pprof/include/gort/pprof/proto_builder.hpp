// gort/pprof/proto_builder.hpp — a profile.proto message built from stacks of
// addresses, whatever names them (mirrors profileBuilder in golang/go
// src/runtime/pprof/proto.go, and buildProfile in src/cmd/trace/pprof.go,
// which builds the same message from a trace's frames).
//
// For gort's own profile writers, not part of gort's user API: the runtime's
// profiles (pprof/src/profile_builder.hpp names addresses with the running
// program's symbolizer and /proc/self/maps) and trace-viewer's (a trace's
// Frame records, no mappings).  Library gort_pprof_proto: zlib only, no
// runtime.  The encoding is described in pprof/src/proto_builder.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace gort::pprof::proto {

/// A sample or period type: what a value counts and in which unit (profile.proto's ValueType).
struct ValueType {
  std::string type, unit;
};

/// One source line of a location: the function (with its declaration line and file) and the line in it.
struct SourceLine {
  std::string function;  // empty when unknown: the location gets no Line, pprof shows its address
  std::string file;
  int line = 0;
  int start_line = 0;
};

/// An executable region of the profiled process (profile.proto's Mapping, Go's memMap).
struct Mapping {
  uint64_t start = 0, end = 0, offset = 0;
  std::string file;
};

/// Names the code at an address: appends its source lines to *out, innermost
/// first (a call inlined there, then the function holding it).  addr is the
/// looked-up address: a return address minus one.
using Symbolizer = std::function<void(uint64_t addr, std::vector<SourceLine>* out)>;

/// Collects samples, then encodes them as a gzipped profile.proto.  Not
/// thread-safe: one builder per writer.
class ProtoBuilder {
 public:
  /// A profile whose samples carry one value per sample_types entry, taken
  /// every `period` period_type units (Go's period: 1 count for count profiles,
  /// the sampling interval in ns for CPU profiles); symbolize names every
  /// distinct address once, at encode time.
  ProtoBuilder(std::vector<ValueType> sample_types, ValueType period_type, int64_t period, Symbolizer symbolize);

  /// The start of the profile (Unix ns); 0 (the default) omits it.
  void set_time_nanos(int64_t t);
  /// The profile's duration in ns; 0 (the default) omits it.
  void set_duration_nanos(int64_t d);
  /// The sample type pprof shows first (e.g. "inuse_space"); empty: the last one.
  void set_default_sample_type(std::string type);
  /// A free-form comment pprof prints with -comments.
  void add_comment(std::string comment);
  /// The process's executable regions; a mapping whose locations all got a
  /// function name is marked symbolized, so pprof does not look for the binary.
  /// None (the default): locations carry no mapping, as go tool trace's profiles.
  void set_mappings(std::vector<Mapping> mappings);

  /// Adds a sample.  stack: innermost first; every pc is a return address
  /// (symbolized and written as pc-1, Go's convention); a sampler that has an
  /// exact leaf pc stores pc+1.  values: one per sample type.  labels /
  /// num_labels: the sample's string and numeric labels (Go's pprof labels,
  /// the heap profile's "bytes").
  void add_sample(std::span<const uint64_t> stack, std::span<const int64_t> values,
                  std::span<const std::pair<std::string, std::string>> labels = {},
                  std::span<const std::pair<std::string, int64_t>> num_labels = {});

  /// The profile.proto message, not compressed (what encode_gzip compresses).
  std::string encode() const;
  /// The file's bytes: encode() compressed with gzip.
  std::string encode_gzip() const;
  /// Writes encode_gzip() to path, replacing it; throws std::runtime_error
  /// naming path and the errno text when it cannot be written.
  void write_file(const std::string& path) const;

 private:
  /// One add_sample call, kept until encode.
  struct Sample {
    std::vector<uint64_t> stack;
    std::vector<int64_t> values;
    std::vector<std::pair<std::string, std::string>> labels;
    std::vector<std::pair<std::string, int64_t>> num_labels;
  };

  std::vector<ValueType> sample_types_;  // what each sample's values count
  ValueType period_type_;                // what one period counts
  int64_t period_;                       // the sampling period in period_type_ units
  Symbolizer symbolize_;                 // names each distinct address
  std::vector<Mapping> mappings_;        // the process's executable regions (may be empty)
  int64_t time_nanos_ = 0;               // profile start, Unix ns (0: omitted)
  int64_t duration_nanos_ = 0;           // profile length (0: omitted)
  std::string default_sample_type_;      // empty: pprof's default, the last type
  std::vector<std::string> comments_;    // free-form lines (-comments)
  std::vector<Sample> samples_;          // in add_sample order
};

/// Compresses data with gzip at zlib's fastest level (Go's proto.go writes
/// with gzip.BestSpeed).
std::string gzip_compress(const std::string& data);

/// Writes bytes to path, replacing the file; throws std::runtime_error
/// "gort::pprof: cannot write <path>: <strerror>" when it cannot.
void write_whole_file(const std::string& path, const std::string& bytes);

}  // namespace gort::pprof::proto
