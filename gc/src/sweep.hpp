// sweep.hpp — sweeping (sweep.cpp; mirrors mgcsweep.go): the sweep generation,
// lazy, proportional and idle-time sweeping.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/gc/span.hpp>

namespace gort::gc::detail {

/// The heap's sweep generation (mheap_.sweepgen): +2 at every mark termination.
/// A span with sweepgen == h-2 needs sweeping, h-1 is being swept, h is swept.
extern std::atomic<uint32_t> heap_sweepgen;

/// Spans claimed for sweeping and not yet swept (Go's sweep.active count);
/// a claim increments it, ending the sweep (sweep_span, sweep_spans) decrements it.
extern std::atomic<int32_t> sweeps_in_flight;

/// Sweeps span s, which the caller claimed (sweepgen h-2 -> h-1) and keeps
/// (mcentral.cacheSpan): frees the unmarked objects (running their
/// destructors), installs the mark bits as the allocation bits and stamps it
/// swept (mirrors mspan.sweep with preserve set).  The sweeper's own spans go
/// back to their lists or the page heap in sweep_spans' batches.
void sweep_span(Span* s);

/// Sweeps a batch of unswept spans from one mcentral; false when none is left
/// (mirrors sweepone).
bool sweepone();

/// What sweep_spans returns when nothing was left to sweep.
inline constexpr size_t SweptNothing = SIZE_MAX;
/// Sweeps up to a batch (kSweepBatch) of unswept spans of one class; returns the
/// pages given back to the heap (0 when every span kept live objects), or
/// SweptNothing when none was left.  The spans are claimed and put back in one
/// hold each of their mcentral's lock.
size_t sweep_spans();

/// Sweeps until npages pages went back to the heap or nothing is left unswept,
/// before the heap hands out npages new pages (mirrors mheap.reclaim): without
/// it, memory freed by the last mark but not yet swept would be ignored and the
/// heap would grow past its goal.
void reclaim_pages(size_t npages);

/// Sweeps every span still unswept and waits for sweeps other threads have in
/// flight (mirrors finishsweep_m / the loop in gcStart).
void finish_sweep();

/// Makes every span unswept (heap_sweepgen += 2) and re-arms the sweepers.
/// Precondition: world stopped, every mcache flushed.
void start_sweep_generation();

/// The runtime's GcHooks::idle_work: idle-priority collector work, marking
/// while a mark runs (idle_mark_worker), sweeping a batch of spans after it;
/// true when it did some.  On g0 holding a P.
bool idle_work();

}  // namespace gort::gc::detail
