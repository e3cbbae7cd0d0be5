// reader.hpp — parses a gort execution-trace file (format v1,
// <gort/trace_format.hpp>, prose in trace-viewer/FORMAT.md) into its batches
// and definitions, and decodes the events of one thread on demand.
//
// Mirrors the batch and event readers of Go's src/internal/trace (batch.go,
// base.go, the generation's string/stack tables): a first pass walks the
// file's structure (header, batch headers, end-of-trace record), a second
// decodes every event once, checks each argument's range and collects the
// String/Stack/Frame/ThreadName definitions, a third checks that every string
// and stack id an event names is defined.  Events other than definitions are
// not stored: order.cpp decodes them again, thread by thread, through
// Trace::Cursor, the way Go's reader keeps one frontier event per M.
//
// Invariants after Trace::parse returns: every byte of the file belongs to the
// header, a batch or the end-of-trace record; every event decodes; every
// event's time is within [0, end_ns]; each thread's events have non-decreasing
// times across its batches; every referenced string and stack id is defined.
// Anything else is a TraceError naming the byte offset and what was expected.
// Nothing is allocated from a claimed size before that size is checked against
// the bytes actually present.
#pragma once

#include <gort/trace_format.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gort::viewer {

namespace tf = gort::trace::format;

/// A trace that cannot be read: malformed, truncated, foreign, or whose events
/// cannot be put into a legal order.  what() is "offset N: ..." when the
/// problem has a place in the file.
class TraceError : public std::runtime_error {
 public:
  static constexpr uint64_t kNoOffset = ~uint64_t{0};
  TraceError(uint64_t offset, const std::string& message);
  explicit TraceError(const std::string& message);
  uint64_t offset() const { return offset_; }
  bool has_offset() const { return offset_ != kNoOffset; }
  /// The message without the "offset N: " prefix.
  const std::string& message() const { return message_; }

 private:
  uint64_t offset_;
  std::string message_;
};

/// P ids and GOMAXPROCS above this are rejected (Go's limit is 1024).
inline constexpr uint64_t kMaxProcs = 1u << 16;

/// The name of an event type ("GoStart"), or "event type N" if out of range.
std::string event_name(uint8_t type);
inline std::string event_name(tf::Ev type) { return event_name(uint8_t(type)); }

/// One decoded event.  list/bytes point into the Trace's buffer.
struct RawEvent {
  tf::Ev type = tf::Ev::None;
  int64_t time = 0;     // ns since the trace started
  uint64_t offset = 0;  // file offset of the event's type byte
  uint64_t args[tf::kMaxArgs] = {};
  uint64_t list_n = 0;            // Stack: number of pcs
  const uint8_t* list = nullptr;  // Stack: the pcs, still uvarint-coded
  std::string_view bytes;         // String, UserLog: the trailing bytes
};

struct BatchInfo {
  uint64_t offset;         // of the 0xB1 tag
  uint64_t thread;
  int64_t base_ns;
  uint64_t events_offset;  // first byte of its events
  uint64_t length;         // bytes of events
  uint64_t events;         // events in it
};

struct FrameInfo {
  uint64_t func;  // string id
  uint64_t file;  // string id
  uint64_t line;
};

/// A parsed trace file: the raw bytes, the batch index and the definitions.
class Trace {
 public:
  /// Reads and parses a file; TraceError if it cannot be read or is not a
  /// valid trace.
  static Trace read_file(const std::string& path);
  /// Parses a trace held in memory.
  static Trace parse(std::vector<uint8_t> bytes);

  uint32_t version() const { return version_; }
  /// The end-of-trace record's time: the trace's duration in ns.
  int64_t end_ns() const { return end_ns_; }
  uint64_t file_size() const { return bytes_.size(); }
  const std::vector<BatchInfo>& batches() const { return batches_; }
  /// Thread id -> indexes into batches(), in file order.
  const std::map<uint64_t, std::vector<uint32_t>>& threads() const { return threads_; }

  /// Events in the file, all types; and per type.
  uint64_t event_count() const { return event_count_; }
  uint64_t count(tf::Ev type) const { return counts_[size_t(type)]; }

  /// A defined string ("" for id 0 or an unknown id).
  std::string_view string(uint64_t id) const;
  bool has_string(uint64_t id) const { return id == 0 || strings_.count(id) != 0; }
  /// A defined stack's pcs, innermost first (empty for 0 or an unknown id).
  std::span<const uint64_t> stack(uint64_t id) const;
  bool has_stack(uint64_t id) const { return id == 0 || stacks_.count(id) != 0; }
  /// What a pc means, if a Frame record defined it.
  const FrameInfo* frame(uint64_t pc) const;
  bool has_frames() const { return !frames_.empty(); }
  /// The name a ThreadName record gave a thread, or "".
  std::string_view thread_name(uint64_t thread) const;

  /// Iterates the events of one thread, across its batches, in file order.
  class Cursor {
   public:
    Cursor() = default;
    /// Decodes the next event into ev; false at the end of the thread.
    bool next(RawEvent& ev);

   private:
    friend class Trace;
    const Trace* trace_ = nullptr;
    const std::vector<uint32_t>* batches_ = nullptr;
    size_t batch_ = 0;
    uint64_t pos_ = 0, end_ = 0;
    int64_t time_ = 0;
    bool started_ = false;
  };
  /// A cursor over thread's events (no events if the thread has no batch).
  Cursor cursor(uint64_t thread) const;

  /// The pcs of a Stack event's list.
  static std::vector<uint64_t> decode_pcs(const RawEvent& ev);

 private:
  Trace() = default;
  void walk_structure();
  void decode_events();
  void check_references();

  std::vector<uint8_t> bytes_;
  uint32_t version_ = 0;
  int64_t end_ns_ = 0;
  std::vector<BatchInfo> batches_;
  std::map<uint64_t, std::vector<uint32_t>> threads_;
  uint64_t event_count_ = 0;
  std::array<uint64_t, size_t(tf::Ev::kCount)> counts_{};
  std::unordered_map<uint64_t, std::string> strings_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> stacks_;
  std::unordered_map<uint64_t, FrameInfo> frames_;
  std::unordered_map<uint64_t, uint64_t> thread_names_;  // thread -> string id
};

}  // namespace gort::viewer
