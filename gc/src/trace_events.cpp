// trace_events.cpp — the collector's events in the runtime's execution trace
// (mirrors traceGCStart, traceGCDone, traceGCMarkAssistStart/Done,
// traceGCSweepStart/Done, traceHeapAlloc, traceHeapGoal and the mark workers'
// appearance in golang/go src/runtime/trace2runtime.go).  The collector's
// TraceHooks (gort/gc/trace_hooks.hpp) are the one channel its events leave
// through; these hooks forward them to runtime::trace_event.  The
// stop-the-world pauses are not among them: the runtime writes those itself,
// with their reason, around the whole stop.
#include <gort/runtime/internal/trace_events.hpp>

#include "mgc.hpp"
#include "tracing.hpp"

namespace gort::gc::detail {

namespace {

using Ev = trace::format::Ev;

static_assert(uint8_t(trace::format::GCWorkerKind::Dedicated) == 0 &&
                  uint8_t(trace::format::GCWorkerKind::Fractional) == 1 &&
                  uint8_t(trace::format::GCWorkerKind::Idle) == 2,
              "mark_worker_start's kind numbers are the trace's");

}  // namespace

// Constant-initialised, so it is in place before any static constructor allocates.
constinit const TraceHooks runtime_tracer_hooks = {
    .gc_start = [](uint32_t cycle) { runtime::trace_event(Ev::GCBegin, cycle); },
    .gc_done = [](uint32_t cycle) { runtime::trace_event(Ev::GCEnd, cycle); },
    .assist_start = [] { runtime::trace_event(Ev::GCMarkAssistBegin); },
    .assist_done = [] { runtime::trace_event(Ev::GCMarkAssistEnd); },
    .sweep_start = [] { runtime::trace_event(Ev::GCSweepBegin); },
    .sweep_done = [] { runtime::trace_event(Ev::GCSweepEnd); },
    .heap_alloc = [](uint64_t live) { runtime::trace_event(Ev::HeapAlloc, live); },
    .heap_goal = [](uint64_t goal) { runtime::trace_event(Ev::HeapGoal, goal); },
    .mark_worker_start = [](uint8_t kind) { runtime::trace_event(Ev::GCWorkerBegin, kind); },
    .mark_worker_done = [] { runtime::trace_event(Ev::GCWorkerEnd); },
};

}  // namespace gort::gc::detail
