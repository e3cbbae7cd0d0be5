// timeline.hpp — the ordered event stream turned into intervals: each
// goroutine's life as contiguous state slices, each P's activity, GC cycles,
// stop-the-world pauses, sweeps, counters, user regions, tasks and logs.
// Every analysis, the Chrome export and the web view model read this.
//
// Mirrors Go's src/internal/trace/summary.go (the per-goroutine state
// intervals behind cmd/trace's goroutine analysis) and the per-P and GC
// tracks that src/cmd/trace's jsontrace.go draws.
//
// Invariants: a goroutine's slices are contiguous and cover [start, end) —
// from its creation (0 if it existed at trace start) to its GoDestroy (or the
// end of the trace); slices may be empty (zero length).  A P's slices do not
// overlap and are sorted.  All times are ns since the trace started, within
// [0, duration].
#pragma once

#include "order.hpp"
#include "reader.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace gort::viewer {

/// A goroutine slice's state; the numbers are the web view model's codes.
enum class SliceState : uint8_t { Running = 0, Runnable = 1, Blocked = 2, Syscall = 3, Assist = 4 };
const char* slice_state_name(SliceState s);

struct GSlice {
  int64_t start = 0, end = 0;
  SliceState state = SliceState::Runnable;
  uint64_t reason = 0;  // Blocked: the wait reason (string id); Runnable after GoStop: its reason
  uint64_t stack = 0;   // stack of the event that began the slice (GoBlock, GoUnblock, GoStop,
                        // GoCreate's call site, GoSyscallBegin)
};

struct Goroutine {
  uint64_t id = 0;
  bool existed_at_start = false;  // GoStatus or inferred: alive when the trace began
  bool ended = false;             // GoDestroy seen
  int64_t start = 0, end = 0;     // creation (or 0) .. GoDestroy (or trace end)
  uint64_t creator = 0;           // goroutine that ran the GoCreate (0: none)
  uint64_t create_stack = 0, start_stack = 0;
  std::string group;              // symbolize.hpp group_name
  std::vector<GSlice> slices;
  int64_t sweep_ns = 0;           // sweeping done while this goroutine ran
};

/// What a P is doing during a slice; the numbers are the view model's codes.
enum class PKind : uint8_t { Goroutine = 0, GCWorker = 1, Syscall = 2 };

struct PSlice {
  int64_t start = 0, end = 0;
  PKind kind = PKind::Goroutine;
  uint64_t g = 0;           // 0 for a mark worker
  uint8_t worker_kind = 0;  // tf::GCWorkerKind for a mark worker
};

struct Proc {
  uint32_t id = 0;
  std::vector<PSlice> slices;
};

struct GCCycle {
  int64_t start = 0, end = 0;
  uint64_t cycle = 0;
  bool began_before = false, ended = false;
};

struct STWPause {
  int64_t start = 0, end = 0;
  uint64_t reason = 0;  // string id
  bool began_before = false;
};

struct Sweep {
  int64_t start = 0, end = 0;
  uint64_t thread = 0, g = 0;
};

struct Sample {
  int64_t t = 0;
  int64_t v = 0;
};

struct Region {
  uint64_t g = 0, task = 0;
  int64_t start = 0, end = 0;
  uint64_t name = 0;  // string id
  bool began_before = false, ended = false;
};

struct Task {
  uint64_t id = 0, parent = 0;
  uint64_t name = 0;  // string id
  int64_t start = 0, end = 0;
  bool began = false, ended = false;
};

struct Log {
  int64_t t = 0;
  uint64_t g = 0, task = 0;
  uint64_t category = 0;  // string id
  std::string message;
};

struct Timeline {
  int64_t duration = 0;
  std::vector<Goroutine> goroutines;  // sorted by id
  std::vector<Proc> procs;            // sorted by id: every P seen, and 0..GOMAXPROCS-1
  std::vector<GCCycle> gc;
  std::vector<STWPause> stw;
  std::vector<Sweep> sweeps;
  std::vector<Sample> heap_alloc, heap_goal;
  std::vector<Sample> goroutine_count, runnable_count;
  std::vector<Sample> gomaxprocs;     // GoMaxProcs events
  std::vector<Region> regions;        // sorted by start
  std::vector<Task> tasks;            // sorted by id
  std::vector<Log> logs;              // in time order
  uint64_t timer_fires = 0;
  int64_t timer_late_total = 0, timer_late_max = 0;
  uint64_t threads = 0;

  const Goroutine* goroutine(uint64_t id) const;
};

Timeline build_timeline(const Trace& trace, const Ordered& ordered);

}  // namespace gort::viewer
