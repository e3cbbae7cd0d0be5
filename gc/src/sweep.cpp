// sweep.cpp — sweeping (mirrors sweepone, mspan.sweep, finishsweep_m and
// bgsweep in mgcsweep.go).
//
// Model.  Mark termination adds 2 to heap_sweepgen, which makes every span
// unswept at once (mcentral.cpp).  A span is swept exactly once per cycle, by
// whoever claims it first with a CAS on its sweepgen (h-2 -> h-1):
//   - an allocating P whose mcentral has no swept span with room (lazy
//     sweeping in mcentral.cacheSpan), keeping the span to allocate from;
//   - an idle P, through the runtime's idle-work hook (the background sweeper:
//     Go's bgsweep goroutine runs at the lowest priority; here the same work
//     runs when a P finds nothing else to do);
//   - the next cycle's start, which sweeps whatever is left (finishsweep_m), and
//     gc::collect, which sweeps everything before returning (runtime.GC does).
// All but the first claim spans in batches of up to kSweepBatch of one class,
// taking and putting back a batch in one hold of its mcentral's lock each.
// Sweeping a span installs its mark bits as allocation bits: unmarked slots
// become free without touching their memory, unless the span holds objects with
// destructors, whose dead objects are destroyed first.  An empty span goes back
// to the page heap (unless the sweeper keeps it to allocate from).
//
// A span holding heap-profile samples (ProfileSpecial records, malloc.cpp)
// reports each sampled object the sweep found dead to the runtime's heap
// profile (mprof_free) and drops its record.
//
// Destructors run on the sweeping thread with no lock held; a thread-local flag
// turns an allocation inside one into a fatal error (object.hpp explains why).
#include <gort/gc/mcentral.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/object.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/mprof.hpp>

#include <sched.h>


#include "mark_worker.hpp"
#include "mgc.hpp"
#include "mwbbuf.hpp"
#include "sweep.hpp"
#include "tracing.hpp"

namespace gort::gc::detail {

std::atomic<uint32_t> heap_sweepgen{4};
std::atomic<int32_t> sweeps_in_flight{0};

namespace {

/// True once a full pass over the mcentrals found nothing unswept this cycle
/// (mirrors sweep.active's done state); reset at each mark termination.
std::atomic<bool> sweep_done{true};
/// Where the next sweepone starts looking (mirrors sweep.centralIndex).
std::atomic<uint32_t> sweep_class_cursor{0};

/// Runs the destructors of the dead objects of s (allocated, unmarked).
void destroy_dead_objects(Span* s) {
  running_destructors = true;
  for (uint32_t i = 0; i < s->nelems; ++i) {
    if (!s->is_allocated(i) || s->is_marked(i)) continue;
    const uintptr_t base = s->object_address(i);
    const TypeInfo* type = reinterpret_cast<const ObjectHeader*>(base)->type;
    if (type != nullptr && type->destroy != nullptr) type->destroy(reinterpret_cast<void*>(base + type->offset));
  }
  running_destructors = false;
}

/// Reports the free of every sampled object of s that this sweep freed and
/// drops its record (mirrors freeSpecial's specialprofile case, reached from
/// mspan.sweep).  After install_mark_bits: an allocated slot is a survivor.
void free_profile_specials(Span* s) {
  ProfileSpecial** link = &s->specials;
  while (ProfileSpecial* sp = *link) {
    if (s->is_allocated(sp->index)) {
      link = &sp->next;
      continue;
    }
    runtime::mprof_free(sp->bucket, s->elemsize);
    *link = sp->next;
    delete sp;
  }
}

}  // namespace

constinit thread_local bool running_destructors = false;

namespace {

/// The sweep proper of a claimed span: destroys its dead objects, installs the
/// mark bits as allocation bits and counts the frees; returns the objects left
/// live.  The caller places the span and ends the claim.
uint32_t sweep_objects(Span* s) {
  if (s->has_destructors) destroy_dead_objects(s);
  const uint32_t before = s->alloc_count;
  const uint32_t live = s->install_mark_bits();
  const uint32_t freed = before - live;
  if (freed > 0) {
    s->needzero = true;
    heap_stats().frees.fetch_add(freed, std::memory_order_relaxed);
    heap_stats().alloc_bytes.fetch_sub(uint64_t{freed} * s->elemsize, std::memory_order_relaxed);
    heap_stats().freed_bytes.fetch_add(uint64_t{freed} * s->elemsize, std::memory_order_relaxed);
  }
  if (live == 0) s->has_destructors = false;
  if (s->specials != nullptr) free_profile_specials(s);
  return live;
}

/// Spans the sweeper claims from one mcentral per hold of its lock, and puts
/// back per hold: the locks were a quarter of a sweep-bound run's CPU taken
/// one span at a time (NOTES.md §13); 8 spans keep a batch's sweep within a few
/// µs, so a stop-the-world or a goroutine waiting for the P waits no longer.
constexpr size_t kSweepBatch = 8;

}  // namespace

// mirrors sweepLocked.sweep in mgcsweep.go, with preserve set (the sweeper's
// own spans go through sweep_spans' batches)
void sweep_span(Span* s) {
  const uint32_t sg = heap_sweepgen.load(std::memory_order_acquire);
  sweep_objects(s);
  s->sweepgen.store(sg, std::memory_order_release);
  sweeps_in_flight.fetch_sub(1, std::memory_order_release);
}

// mirrors sweepone in mgcsweep.go
bool sweepone() { return sweep_spans() != SweptNothing; }

// mirrors mheap.reclaim in mheap.go (by sweeping in order, not by scanning the
// page-marks bitmaps for wholly free spans as Go does)
void reclaim_pages(size_t npages) {
  if (sweep_done.load(std::memory_order_acquire)) return;
  trace_event(&TraceHooks::sweep_start);
  size_t freed = 0;
  while (freed < npages) {
    const size_t r = sweep_spans();
    if (r == SweptNothing) break;
    freed += r;
    // Sweeping in order may take many spans that keep live objects before one
    // frees pages (Go's reclaim finds wholly free spans from its page-mark
    // bitmaps instead): stop when a pause or sysmon is waiting for this P and
    // let the heap grow a little rather than hold up the world.
    if (runtime::gc_worker_should_yield()) break;
  }
  trace_event(&TraceHooks::sweep_done);
}

size_t sweep_spans() {
  if (sweep_done.load(std::memory_order_acquire)) return SweptNothing;
  const uint32_t start = sweep_class_cursor.load(std::memory_order_relaxed);
  for (uint32_t n = 0; n < kNumSpanClasses; ++n) {
    const SpanClass spc{static_cast<uint8_t>((start + n) % kNumSpanClasses)};
    Span* claimed[kSweepBatch];
    const size_t count = central_claim_unswept(spc, claimed, kSweepBatch);
    if (count == 0) continue;
    sweep_class_cursor.store(spc.value, std::memory_order_relaxed);
    size_t kept = 0, pages_freed = 0;
    for (size_t i = 0; i < count; ++i) {
      Span* s = claimed[i];
      if (sweep_objects(s) == 0) {
        pages_freed += s->npages;
        heap_free_span(s);
      } else {
        claimed[kept++] = s;
      }
    }
    if (kept > 0) central_push_swept(spc, claimed, kept);
    sweeps_in_flight.fetch_sub(static_cast<int32_t>(count), std::memory_order_release);
    return pages_freed;
  }
  sweep_done.store(true, std::memory_order_release);
  return SweptNothing;
}

void finish_sweep() {
  while (sweepone()) {
  }
  // Spans other threads claimed before the lists ran dry are still being swept
  // (mirrors the wait on sweep.active in gcStart/finishsweep_m): one span each.
  while (sweeps_in_flight.load(std::memory_order_acquire) != 0) sched_yield();
}

void start_sweep_generation() {
  heap_sweepgen.fetch_add(2, std::memory_order_acq_rel);
  sweep_done.store(false, std::memory_order_release);
}

namespace {

}  // namespace

bool idle_work() {
  if (allocate_black.load(std::memory_order_relaxed)) return idle_mark_worker();
  if (sweep_done.load(std::memory_order_relaxed)) return false;
  return sweepone();
}

}  // namespace gort::gc::detail
