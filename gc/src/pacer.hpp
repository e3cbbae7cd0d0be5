// pacer.hpp — the pacer (pacer.cpp; mirrors mgcpacer.go): heap_live, goal, trigger,
// the mark worker plan and the assist ratios.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>
#include <cstdint>

namespace gort::gc::detail {

/// Bytes of heap considered live for pacing (Go's gcController.heapLive):
/// marked bytes of the last cycle plus everything allocated since, counting
/// cached spans' free slots as allocated.
extern std::atomic<uint64_t> heap_live;

/// Reads GOGC/GOMEMLIMIT once (malformed values get one line on stderr).
void pacer_init();
/// Recomputes goal, runway and trigger after a mark (mirrors
/// gcControllerState.resetLive + commit): the marked heap, the heap, stack and
/// globals scan work of that mark.
void pacer_commit(uint64_t heap_marked, uint64_t heap_scan, uint64_t stack_scan, uint64_t globals_scan);

/// Where the pacer wants background mark workers (Go's
/// dedicatedMarkWorkersNeeded, fractionalUtilizationGoal, markStartTime).
struct MarkWorkerPlan {
  /// Dedicated workers still to start this mark (taken by decrement).
  std::atomic<int64_t> dedicated_needed{0};
  /// Share of each P a fractional worker aims at (0: none).
  std::atomic<double> fractional_goal{0};
  /// When the mark started.
  std::atomic<int64_t> mark_start_ns{0};
};
MarkWorkerPlan& mark_worker_plan();

/// Starts a cycle's pacing with the world stopped (mirrors startCycle): the
/// trigger it started at (live: heap_live now), the worker plan, assist ratios.
void pacer_start_cycle(int64_t now, int32_t procs, uint64_t live);
/// Recomputes the assist ratios from the work done and the heap left before
/// the goal (mirrors revise).  Any thread, during a mark.
void pacer_revise();
/// Scan work owed per byte allocated during the mark, and its inverse.
double assist_work_per_byte();
double assist_bytes_per_work();
/// Measures this mark's cons/mark ratio and feeds the controller (mirrors
/// endCycle).  Precondition: world stopped, before pacer_commit.
void pacer_end_cycle(int64_t now, int32_t procs);
/// The heap goal in force (Go's heapGoal): the GOGC goal or, when lower, the
/// memory-limit goal.
uint64_t heap_goal_bytes();
/// heap_live at which the next cycle starts: the GOGC trigger, or the trigger
/// of the memory-limit goal when that goal is lower (recomputed on each call).
uint64_t current_trigger();

}  // namespace gort::gc::detail
