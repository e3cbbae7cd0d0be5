// gort/gc/trace_hooks.hpp — what the collector tells an execution tracer (the
// GC events of Go's runtime/trace: traceGCStart/Done, traceGCSTWStart/Done,
// traceGCMarkAssistStart/Done, traceGCSweepStart/Done, traceHeapAlloc,
// traceHeapGoal).
//
// The collector calls each non-null hook synchronously at the event, on the
// thread where it happens: hooks must be cheap, must not allocate from the
// managed heap, park or take locks the collector may hold.  The STW hooks run
// with the world stopped.
#pragma once

#include <cstdint>

#include <gort/runtime/internal/stw_reason.hpp>

namespace gort::gc {

/// Why the world stopped (Go's stwReason; the GC's pauses are
/// SweepTermination and MarkTermination).
using StwReason = runtime::StwReason;

/// The collector's trace events; any member may be null.
struct TraceHooks {
  /// A cycle began (its number as NumGC will count it) / ended.
  void (*gc_start)(uint32_t cycle) = nullptr;
  void (*gc_done)(uint32_t cycle) = nullptr;
  /// A stop-the-world pause of the collector began / ended.
  void (*stw_start)(StwReason reason) = nullptr;
  void (*stw_done)(StwReason reason) = nullptr;
  /// The calling goroutine starts / stops a mark assist.
  void (*assist_start)() = nullptr;
  void (*assist_done)() = nullptr;
  /// The calling goroutine starts / stops sweeping before it allocates.
  void (*sweep_start)() = nullptr;
  void (*sweep_done)() = nullptr;
  /// The live heap the pacer tracks changed (reported at span refills and
  /// after each mark; Go's heapLive).
  void (*heap_alloc)(uint64_t live_bytes) = nullptr;
  /// The heap goal changed (after each mark, and on set_gc_percent / set_memory_limit).
  void (*heap_goal)(uint64_t goal_bytes) = nullptr;
  /// The calling thread's P starts / stops running a mark worker; kind is
  /// 0 dedicated, 1 fractional, 2 idle (Go's gcMarkWorkerMode).
  void (*mark_worker_start)(uint8_t kind) = nullptr;
  void (*mark_worker_done)() = nullptr;
};

/// Installs hooks (null: none); the struct must outlive its installation.
/// Returns the previous hooks.  Safe to call at any time.
const TraceHooks* set_trace_hooks(const TraceHooks* hooks);

}  // namespace gort::gc
