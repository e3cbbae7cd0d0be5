// mcache_sample.cpp — where the heap profile's next sample falls (mirrors
// nextSample's countdown in mallocgc and mcache.nextSample in malloc.go).
//
// Model: Go samples allocations as a Poisson process over the bytes allocated,
// one sample every MemProfileRate bytes on average: each mcache holds the
// bytes left to the next sample (an exponential draw), every allocation
// subtracts its size, and the object that takes it below zero is sampled.
// gort keeps the same draw and the same rule but moves the subtraction off the
// fast path.  The countdown is kept per span class (sample_left), and while a
// span is cached its countdown is turned into a slot: with L bytes left and
// objects of E bytes, the next floor(L / E) objects are not sampled, so the
// span's sample_limit becomes freeindex + floor(L / E) (at most nelems).
// next_free_fast already refuses slots at or above a bound (it used to be
// nelems), so the object that is due, and nothing else, falls to the slow
// path, which counts the allocations made since the span's sample_mark
// (alloc_count moved by exactly that many), samples the object when the
// countdown is below zero, redraws, and arms the limit again.  An allocation
// costs nothing for the profile until its sample is due: the slow path also
// runs for refills and at each 64-slot word of the allocation bitmap, and
// there alloc_in_span (malloc.cpp, sample_may_be_due) calls count_sample only
// when the slot taken reached sample_limit or the rate's generation moved on;
// the objects it skips are counted by the next settle from alloc_count.
//
// Why per class, when Go has one countdown per mcache: a slot bound has to
// know which span the due byte falls in, and with one shared countdown an
// allocation of any class would move every cached span's bound.  Separate
// countdowns are the same process: an exponential draw has no memory, so the
// sample points of each class are a Poisson process of rate 1/MemProfileRate
// over that class's bytes, and independent Poisson processes of one rate
// merge into one of the same rate over all the bytes.  Each sampled object is
// then sampled with probability 1 - exp(-size/rate), as in Go, which is what
// the profile writer's unsampling (scaleHeapSample) assumes.
//
// The bound is conservative: slots between freeindex and the due slot that an
// older object still holds are skipped by the fast path without being
// allocated, so the bound may be reached a few objects early; the slow path
// then finds the countdown not yet run out, allocates without sampling and
// arms the bound again.  It never lets the due object through: each fast-path
// allocation takes at least one slot.
//
// A rate change (set_mem_profile_rate) moves a generation counter on, and a
// cache whose countdowns are of an older generation redraws them all at its
// next slow path.  Called from a goroutine, set_mem_profile_rate also stops
// the world and redraws every P's cache at once, so the new rate holds from
// the next allocation: Go reads MemProfileRate in every mallocgc (rate 1
// samples every object, rate 0 none), and gort's fast path reads no rate.
// The pause is a few microseconds a P, for a setting programs change once.
// From any other thread (or before the runtime runs) the redraw stays lazy:
// each cache's next slow path, within 64 allocations of each class
// (next_free_fast leaves at every bitmap word's end); the same holds for the
// shared fallback cache.  A sample still due under the old rate finds
// profile_alloc checking the rate again.
//
// Rejected: the subtraction on the fast path, as Go does (four instructions
// and one more live register in every allocation; measured ~0.3 ns of a
// 14 ns allocation on Machine A, NOTES.md §14); sampling whole spans at refill
// (a span of small objects would be sampled as one site's burst, not as a
// Poisson process).
//
// Invariants: for the cached span s of class c, the bytes left before c's
// next sample are sample_left[c] - (s.alloc_count - s.sample_mark) * elemsize;
// s.sample_limit <= nelems; an uncached span's sample_limit is its nelems.
#include <gort/gc/mcache.hpp>

#include <algorithm>
#include <atomic>

#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/mprof.hpp>

namespace gort::gc {

namespace {

/// True for a real span, false for the empty sentinel (no slots), which is shared
/// by every cache and never written.
bool is_cached_span(const Span* s) { return s->nelems != 0; }

}  // namespace

namespace detail {

std::atomic<uint32_t> sample_rate_generation_counter{0};

void mem_profile_rate_changed() {
  sample_rate_generation_counter.fetch_add(1, std::memory_order_acq_rel);
  if (!runtime::on_goroutine_with_p()) return;  // each cache redraws at its next slow path
  runtime::stop_the_world_gc(runtime::StwReason::MemProfileRate);
  runtime::for_each_p_gc_cache(
      [](void* cache, int32_t, void*) { static_cast<MCache*>(cache)->sync_sample_generation(); }, nullptr);
  runtime::start_the_world_gc();
}

}  // namespace detail

void MCache::settle_sample(SpanClass spc) {
  Span* s = alloc[spc.value];
  if (!is_cached_span(s)) return;
  sample_left[spc.value] -= int64_t(s->alloc_count - s->sample_mark) * int64_t(s->elemsize);
  s->sample_mark = s->alloc_count;
}

void MCache::arm_sample_limit(SpanClass spc) {
  Span* s = alloc[spc.value];
  if (!is_cached_span(s)) return;
  const int64_t left = sample_left[spc.value];
  // Objects that may still be allocated before the due one: floor(left / E),
  // none when a raw allocation (detail::alloc) already ran the countdown out.
  const uint64_t free_objects = left > 0 ? uint64_t(left) / s->elemsize : 0;
  s->sample_limit = uint32_t(std::min<uint64_t>(s->nelems, uint64_t{s->freeindex} + free_objects));
}

void MCache::sample_span_arrives(SpanClass spc) {
  Span* s = alloc[spc.value];
  s->sample_mark = s->alloc_count;
  arm_sample_limit(spc);
}

void MCache::sample_span_leaves(SpanClass spc) {
  settle_sample(spc);
  Span* s = alloc[spc.value];
  if (is_cached_span(s)) s->sample_limit = s->nelems;
}

bool MCache::sync_sample_generation() {
  const uint32_t now = detail::sample_rate_generation();
  if (__builtin_expect(now == sample_generation, 1)) return false;
  sample_generation = now;
  for (std::size_t i = 0; i < kNumSpanClasses; ++i) {
    sample_left[i] = runtime::next_sample();
    Span* s = alloc[i];
    if (!is_cached_span(s)) continue;
    s->sample_mark = s->alloc_count;
    arm_sample_limit(SpanClass{static_cast<uint8_t>(i)});
  }
  return true;
}

// mirrors the MemProfileRate block of mallocgc
void MCache::count_sample(SpanClass spc, Span* s, uintptr_t obj, uintptr_t caller_pc) {
  const bool redrawn = sync_sample_generation();
  int64_t& left = sample_left[spc.value];
  if (s == alloc[spc.value] && !redrawn) {
    settle_sample(spc);  // the fast path's objects since the mark, and this one
  } else {
    // A large object (its span is not cached), or the first object after a
    // redraw, which moved the mark past it: this one alone counts against
    // the fresh draw (so at rate 1 it is sampled, as every object is).
    left -= int64_t(s->elemsize);
  }
  if (left < 0) {
    detail::profile_alloc(s, obj, caller_pc);
    left = runtime::next_sample();
  }
  arm_sample_limit(spc);
}

}  // namespace gort::gc
