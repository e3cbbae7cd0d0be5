// protobuf.hpp — a minimal protocol buffer encoder (mirrors protoBuffer in
// golang/go src/runtime/pprof/protobuf.go).
//
// Only what profile.proto needs: varints (wire type 0) and length-delimited
// fields (wire type 2) — strings, packed repeated integers and nested
// messages.  A nested message is written in place and its length inserted in
// front of it when it ends (Go's startMessage/endMessage), so no message is
// built twice.  The *_opt forms omit a zero value, as proto3 does for scalars.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace gort::pprof::proto {

class ProtoBuffer {
 public:
  /// The encoded bytes so far.
  const std::string& data() const { return data_; }

  void varint(uint64_t x) {
    while (x >= 128) {
      data_.push_back(static_cast<char>(x | 0x80));
      x >>= 7;
    }
    data_.push_back(static_cast<char>(x));
  }

  void length(int tag, std::size_t len) {
    varint(static_cast<uint64_t>(tag) << 3 | 2);
    varint(len);
  }

  void uint64(int tag, uint64_t x) {
    varint(static_cast<uint64_t>(tag) << 3);
    varint(x);
  }

  /// Repeated field: packed when it has more than two elements (as Go writes it).
  void uint64s(int tag, std::span<const uint64_t> x) {
    if (x.size() > 2) {
      const std::size_t n1 = data_.size();
      for (uint64_t u : x) varint(u);
      put_length_before(tag, n1);
      return;
    }
    for (uint64_t u : x) uint64(tag, u);
  }

  void uint64_opt(int tag, uint64_t x) {
    if (x != 0) uint64(tag, x);
  }

  void int64(int tag, int64_t x) { uint64(tag, static_cast<uint64_t>(x)); }

  void int64_opt(int tag, int64_t x) {
    if (x != 0) int64(tag, x);
  }

  void int64s(int tag, std::span<const int64_t> x) {
    if (x.size() > 2) {
      const std::size_t n1 = data_.size();
      for (int64_t u : x) varint(static_cast<uint64_t>(u));
      put_length_before(tag, n1);
      return;
    }
    for (int64_t u : x) int64(tag, u);
  }

  void string(int tag, std::string_view x) {
    length(tag, x.size());
    data_.append(x);
  }

  void bool_(int tag, bool x) { uint64(tag, x ? 1 : 0); }

  void bool_opt(int tag, bool x) {
    if (x) bool_(tag, x);
  }

  /// Starts a nested message; pass the result to end_message.
  std::size_t start_message() const { return data_.size(); }

  /// Ends the nested message begun at start as field tag.
  void end_message(int tag, std::size_t start) { put_length_before(tag, start); }

 private:
  /// Turns data_[start:] into the payload of length-delimited field tag.
  void put_length_before(int tag, std::size_t start) {
    const std::size_t n = data_.size() - start;
    ProtoBuffer hdr;
    hdr.length(tag, n);
    data_.insert(start, hdr.data_);
  }

  std::string data_;
};

}  // namespace gort::pprof::proto
