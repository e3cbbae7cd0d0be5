// analysis/goroutines.hpp — per-goroutine time accounting and its totals per
// group: `go tool trace`'s "Goroutine analysis".
//
// Mirrors Go's src/internal/trace/summary.go (GoroutineSummary, its
// GoroutineExecStats: ExecTime, SchedWaitTime, BlockTimeByReason,
// SyscallTime) and src/cmd/trace/goroutines.go (the table grouped by start
// function).  Each goroutine's slices (timeline.hpp) are summed by state:
//   exec        running, including time spent assisting the mark
//   sched wait  runnable, waiting for a P (after creation, GoStop, an unblock
//               or a blocking call that lost its P)
//   block       blocked, per wait reason (chan receive, select, sleep, ...)
//   syscall     in a blocking call
//   assist      the part of exec spent in mark assists
//   sweep       sweeping done by the goroutine before allocating (part of exec)
// total = end - start = exec + sched wait + block + syscall.
#pragma once

#include "../timeline.hpp"

#include <map>
#include <string>
#include <vector>

namespace gort::viewer {

struct GoroutineStats {
  uint64_t id = 0;
  std::string group;
  int64_t start = 0, end = 0;
  bool existed_at_start = false, ended = false;
  int64_t total = 0, exec = 0, sched_wait = 0, block = 0, syscall = 0, assist = 0, sweep = 0;
  std::map<std::string, int64_t> block_by_reason;
};

struct GroupStats {
  std::string name;
  uint64_t count = 0;
  int64_t total = 0, exec = 0, sched_wait = 0, block = 0, syscall = 0, assist = 0, sweep = 0;
  std::map<std::string, int64_t> block_by_reason;
  std::vector<uint64_t> goroutines;  // ids
};

struct GoroutineAnalysis {
  std::vector<GoroutineStats> goroutines;  // by id
  std::vector<GroupStats> groups;          // by exec time, largest first
  std::map<std::string, int64_t> block_by_reason;  // all goroutines
};

/// A wait reason's text for the tables ("(unknown)" for none).
std::string reason_text(const Trace& trace, uint64_t reason);

GoroutineAnalysis analyze_goroutines(const Trace& trace, const Timeline& timeline);

}  // namespace gort::viewer
