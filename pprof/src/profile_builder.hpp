// profile_builder.hpp — one profile.proto message, built from stacks of return
// addresses (mirrors profileBuilder in golang/go src/runtime/pprof/proto.go).
// The design is in profile_builder.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace gort::pprof::detail {

/// A sample or period type: what a value counts and in which unit (profile.proto's ValueType).
struct ValueType {
  std::string type, unit;
};

/// Collects samples, then encodes them as a gzipped profile.proto.  Not
/// thread-safe: one builder per writer.
class ProfileBuilder {
 public:
  /// A profile whose samples carry one value per sample_types entry, taken
  /// every `period` period_type units (Go's period: 1 count for count profiles,
  /// the sampling interval in ns for CPU profiles).
  ProfileBuilder(std::vector<ValueType> sample_types, ValueType period_type, int64_t period);

  /// The start of the profile (Unix ns); 0 (the default) omits it.
  void set_time_nanos(int64_t t);
  /// The profile's duration in ns; 0 (the default) omits it.
  void set_duration_nanos(int64_t d);
  /// The sample type pprof shows first (e.g. "inuse_space"); empty: the last one.
  void set_default_sample_type(std::string type);
  /// A free-form comment pprof prints with -comments.
  void add_comment(std::string comment);

  /// Adds a sample.  stack: innermost first; every pc is a return address
  /// (symbolized as pc-1, Go's convention); a sampler that has an exact leaf
  /// pc stores pc+1.  values: one per sample type.  labels/num_labels: the
  /// sample's string and numeric labels (Go's pprof labels, the heap
  /// profile's "bytes").
  void add_sample(std::span<const uintptr_t> stack, std::span<const int64_t> values,
                  std::span<const std::pair<std::string, std::string>> labels = {},
                  std::span<const std::pair<std::string, int64_t>> num_labels = {});

  /// The profile.proto message, not compressed (what encode_gzip compresses).
  /// Symbolizes every distinct pc (takes the runtime's symbolizer lock).
  std::string encode() const;
  /// The file's bytes: encode() compressed with gzip.
  std::string encode_gzip() const;
  /// Writes encode_gzip() to path, replacing it; throws std::runtime_error
  /// naming path and the errno text when it cannot be written.
  void write_file(const std::string& path) const;

 private:
  struct Sample {
    std::vector<uintptr_t> stack;
    std::vector<int64_t> values;
    std::vector<std::pair<std::string, std::string>> labels;
    std::vector<std::pair<std::string, int64_t>> num_labels;
  };

  std::vector<ValueType> sample_types_;
  ValueType period_type_;
  int64_t period_;
  int64_t time_nanos_ = 0;
  int64_t duration_nanos_ = 0;
  std::string default_sample_type_;
  std::vector<std::string> comments_;
  std::vector<Sample> samples_;
};

/// Compresses data with gzip at zlib's fastest level (Go's proto.go writes
/// with gzip.BestSpeed).
std::string gzip_compress(const std::string& data);

/// Writes bytes to path, replacing the file; throws std::runtime_error
/// "gort::pprof: cannot write <path>: <strerror>" when it cannot.
void write_whole_file(const std::string& path, const std::string& bytes);

}  // namespace gort::pprof::detail
