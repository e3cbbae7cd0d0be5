// trace_builder.hpp — builds small gort trace files (format v1,
// <gort/trace_format.hpp>) for the trace-viewer tests and the fuzzer's seed
// corpus: events are appended per thread with absolute times, encoded with
// the format's put_uvarint into batches, and laid out as
// header, definitions batch, event batches (in the order they were opened),
// end-of-trace record.
#pragma once

#include <gort/trace_format.hpp>

#include "order.hpp"
#include "reader.hpp"
#include "timeline.hpp"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gort::viewer::test {

namespace tf = gort::trace::format;

/// Thread ids for runtime threads that are not Ms.
inline constexpr uint64_t kSysmonThread = tf::kFirstNonMThread;
inline constexpr uint64_t kTimerThread = tf::kFirstNonMThread + 1;

class TraceBuilder {
 public:
  /// The thread whose batch holds String/Stack/Frame records.
  static constexpr uint64_t kDefsThread = tf::kFirstNonMThread + 99;

  /// Interned string / stack ids (0 for "" / no pcs).
  uint64_t str(std::string_view s);
  uint64_t stack(std::vector<uint64_t> pcs);
  /// A Frame record: what pc means.
  void frame(uint64_t pc, std::string_view func, std::string_view file, uint64_t line);
  /// A stack of one pc with a Frame record; returns the stack id.
  uint64_t site(uint64_t pc, std::string_view func, std::string_view file, uint64_t line);

  /// Appends an event (fixed arguments only; UserLog's message is `bytes`) to
  /// thread's current batch at absolute time t.  Returns a handle for
  /// offset_of().
  size_t ev(uint64_t thread, int64_t t, tf::Ev type, std::initializer_list<uint64_t> args = {},
            std::string_view bytes = {});
  /// Starts a new batch for thread (laid out after every batch opened so far).
  void cut(uint64_t thread);
  /// Put the definitions batch last instead of first (as a tracer writes
  /// Frame records at stop).
  void defs_last(bool v) { defs_last_ = v; }

  /// The file.  end_ns: the trailer's end time.
  std::vector<uint8_t> bytes(int64_t end_ns, bool trailer = true);
  /// File offset of an event's type byte (after bytes()).
  uint64_t offset_of(size_t handle) const { return offsets_.at(handle); }
  /// File offset of the n-th event batch's 0xB1 tag, counting the definitions
  /// batch if it is first (after bytes()).
  uint64_t batch_offset(size_t n) const { return batch_offsets_.at(n); }

  // ---- shorthands ----
  void gomaxprocs(uint64_t thread, int64_t t, uint64_t n) { ev(thread, t, tf::Ev::GoMaxProcs, {n}); }
  void proc_running(uint64_t thread, int64_t t, uint64_t p, uint64_t holder) {
    ev(thread, t, tf::Ev::ProcStatus, {p, 1, holder});
  }
  void proc_start(uint64_t thread, int64_t t, uint64_t p) { ev(thread, t, tf::Ev::ProcStart, {p}); }
  void proc_stop(uint64_t thread, int64_t t) { ev(thread, t, tf::Ev::ProcStop); }
  void go_create(uint64_t thread, int64_t t, uint64_t g, uint64_t site = 0, uint64_t start = 0) {
    ev(thread, t, tf::Ev::GoCreate, {g, site, start});
  }
  size_t go_start(uint64_t thread, int64_t t, uint64_t g) { return ev(thread, t, tf::Ev::GoStart, {g}); }
  void go_stop(uint64_t thread, int64_t t, std::string_view reason = "preempted", uint64_t stk = 0) {
    ev(thread, t, tf::Ev::GoStop, {str(reason), stk});
  }
  size_t go_block(uint64_t thread, int64_t t, std::string_view reason, uint64_t stk = 0) {
    return ev(thread, t, tf::Ev::GoBlock, {str(reason), stk});
  }
  size_t go_unblock(uint64_t thread, int64_t t, uint64_t g, uint64_t stk = 0) {
    return ev(thread, t, tf::Ev::GoUnblock, {g, stk});
  }
  void go_destroy(uint64_t thread, int64_t t) { ev(thread, t, tf::Ev::GoDestroy); }
  void syscall_begin(uint64_t thread, int64_t t, uint64_t stk = 0) { ev(thread, t, tf::Ev::GoSyscallBegin, {stk}); }
  void syscall_end(uint64_t thread, int64_t t) { ev(thread, t, tf::Ev::GoSyscallEnd); }
  void go_running(uint64_t thread, int64_t t, uint64_t g, uint64_t on) {
    ev(thread, t, tf::Ev::GoStatus, {g, uint64_t(tf::GoState::Running), on, 0});
  }
  void go_waiting(uint64_t thread, int64_t t, uint64_t g, std::string_view reason) {
    ev(thread, t, tf::Ev::GoStatus, {g, uint64_t(tf::GoState::Waiting), 0, str(reason)});
  }

 private:
  struct Pending {
    int64_t t;
    std::vector<uint8_t> body;  // everything after the delta
    tf::Ev type;
    size_t handle;
  };
  struct Batch {
    uint64_t thread;
    std::vector<Pending> events;
  };
  Batch& current(uint64_t thread);
  static void put(std::vector<uint8_t>& out, uint64_t v);
  static void write_batch(std::vector<uint8_t>& out, const Batch& b, std::vector<uint64_t>& offsets,
                          std::vector<uint64_t>& batch_offsets);

  std::map<std::string, uint64_t, std::less<>> strings_;
  std::map<std::vector<uint64_t>, uint64_t> stacks_;
  Batch defs_{kDefsThread, {}};
  std::vector<Batch> batches_;
  std::map<uint64_t, size_t> open_;  // thread -> index into batches_
  std::map<uint64_t, int64_t> last_time_;
  std::vector<uint64_t> offsets_;
  std::vector<uint64_t> batch_offsets_;
  size_t handles_ = 0;
  bool defs_last_ = false;
};

/// Small valid traces covering every event type: the fuzzer's seed corpus
/// and a smoke test of the whole pipeline.  (name, file bytes).
std::vector<std::pair<std::string, std::vector<uint8_t>>> seed_traces();

/// A trace read, ordered and laid out as intervals: what the analysis and
/// export tests start from.
struct Analysed {
  Trace trace;
  Ordered ordered;
  Timeline timeline;
};

/// Parses, orders and lays out a trace held in memory; TraceError if invalid.
Analysed analyse(std::vector<uint8_t> bytes);

/// The same for a trace file.
Analysed analyse_file(const std::string& path);

}  // namespace gort::viewer::test
