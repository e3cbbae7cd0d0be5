// mcentral.cpp — per-span-class span lists (mirrors mcentral.cacheSpan,
// uncacheSpan, grow and the swept/unswept spanSets in mcentral.go).
//
// Model: one mcentral per span class (136), each a lock and four intrusive
// lists: partial and full spans, each split into swept and unswept halves by
// sweep generation exactly as Go splits its spanSets — partial[sg/2%2] holds
// swept spans and partial[1-sg/2%2] unswept ones, so adding 2 to the heap's
// sweepgen at mark termination turns every swept list into the unswept one
// without touching a span.  An mcache takes a swept partial span; failing that
// it sweeps unswept spans of its class itself (lazy sweeping: partial first,
// then a bounded number of full ones, keeping the first that frees a slot);
// failing that it gets a fresh span from the heap.  The background sweeper
// (sweep.cpp) drains the unswept lists of every class.  Large-object spans live
// on the full lists of their class-0 mcentral so the sweeper finds them too.
//
// Invariants: a span is on at most one list; a span cached by an mcache is on
// none; every span on a swept partial list has a free slot; a span on an
// unswept list has sweepgen == h-2 (h the heap's sweepgen).
//
// Rejected: Go's lock-free spanSets — the lock is taken once per span, not per
// object, and a locked list is simpler to reason about.  Profiles did show it
// once: a heap of long-lived objects under a memory limit sweeps every span
// each cycle, and the allocating P and the idle sweeper taking the lock twice
// per span spent a quarter of the CPU in it; the sweeper now claims and
// returns spans in batches (sweep.cpp), which brought it to a tenth.  Lock-free
// span sets are the next step if it shows again.
#include <gort/gc/mcentral.hpp>

#include <array>

#include <gort/gc/mheap.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/internal/gc_support.hpp>
#include <gort/runtime/internal/lock.hpp>

#include "sweep.hpp"

namespace gort::gc {

namespace {

/// An intrusive doubly-linked list of spans (mirrors mSpanList).
struct SpanList {
  /// First span, or null.
  Span* first = nullptr;
  /// Spans on the list.
  size_t count = 0;

  /// Adds s at the front.  Precondition: s is on no list.
  void push(Span* s) {
    s->prev = nullptr;
    s->next = first;
    if (first != nullptr) first->prev = s;
    first = s;
    ++count;
  }
  /// Removes and returns the first span, or null when empty.
  Span* pop() {
    Span* s = first;
    if (s == nullptr) return nullptr;
    first = s->next;
    if (first != nullptr) first->prev = nullptr;
    s->next = s->prev = nullptr;
    --count;
    return s;
  }
};

/// The span lists of one span class (mirrors mcentral); every field is guarded by `lock`.
struct MCentral {
  /// Guards all four lists.
  runtime::Lock lock;
  /// Spans with at least one free slot (or unswept), indexed by sweep parity.
  SpanList partial[2];
  /// Spans with no free slot (or unswept), indexed by sweep parity.
  SpanList full[2];

  SpanList& partial_swept(uint32_t sg) { return partial[sg / 2 % 2]; }
  SpanList& partial_unswept(uint32_t sg) { return partial[1 - sg / 2 % 2]; }
  SpanList& full_swept(uint32_t sg) { return full[sg / 2 % 2]; }
  SpanList& full_unswept(uint32_t sg) { return full[1 - sg / 2 % 2]; }
};

/// One mcentral per span class, indexed by SpanClass::value.  Never destroyed.
std::array<MCentral, kNumSpanClasses>& centrals() {
  static auto* all = new std::array<MCentral, kNumSpanClasses>();
  return *all;
}

/// Full unswept spans cacheSpan sweeps before growing the heap (Go's spanBudget).
constexpr int kFullSweepBudget = 100;

/// Pops an unswept span from list (under c.lock) and claims it for sweeping;
/// null when the list is empty.
Span* claim_unswept(MCentral& c, SpanList& list, uint32_t sg) {
  while (Span* s = list.pop()) {
    uint32_t expect = sg - 2;
    detail::sweeps_in_flight.fetch_add(1, std::memory_order_relaxed);
    if (s->sweepgen.compare_exchange_strong(expect, sg - 1, std::memory_order_acq_rel)) return s;
    detail::sweeps_in_flight.fetch_sub(1, std::memory_order_relaxed);
    // Already swept by someone holding it off-list: cannot happen while lists
    // and claims both go through this lock, but keep the span visible if it does.
    c.full_swept(sg).push(s);
  }
  return nullptr;
}

}  // namespace

// mirrors mcentral.cacheSpan (and mcentral.grow) in mcentral.go
Span* central_cache_span(SpanClass spc) {
  MCentral& c = centrals()[spc.value];
  const uint32_t sg = detail::heap_sweepgen.load(std::memory_order_acquire);
  c.lock.lock();
  if (Span* s = c.partial_swept(sg).pop()) {
    c.lock.unlock();
    return s;
  }
  // Sweep partial unswept spans of this class: each has a free slot afterwards.
  if (Span* s = claim_unswept(c, c.partial_unswept(sg), sg)) {
    c.lock.unlock();
    detail::sweep_span(s);
    return s;
  }
  // Then full unswept ones, keeping the first that frees a slot.
  for (int budget = kFullSweepBudget; budget > 0; --budget) {
    Span* s = claim_unswept(c, c.full_unswept(sg), sg);
    if (s == nullptr) break;
    c.lock.unlock();
    detail::sweep_span(s);
    if (!s->full()) return s;
    c.lock.lock();
    c.full_swept(sg).push(s);  // sweep_span stamped it swept
    // A pause waiting for this P goes first: take a fresh span instead.
    if (runtime::gc_worker_should_yield()) break;
  }
  c.lock.unlock();
  // mirrors mcentral.grow: a whole new span, lock not held across the heap call
  detail::reclaim_pages(kClassToPages[spc.sizeclass()]);
  return heap_alloc_span(kClassToPages[spc.sizeclass()], spc);
}

namespace {

/// Stamps s swept for generation sg and puts it on c's swept partial or full
/// list.  Caller holds c.lock.
void push_swept_locked(MCentral& c, Span* s, uint32_t sg) {
  s->sweepgen.store(sg, std::memory_order_release);
  if (s->full()) {
    c.full_swept(sg).push(s);
  } else {
    c.partial_swept(sg).push(s);
  }
}

}  // namespace

// mirrors mcentral.uncacheSpan in mcentral.go (and the swept-set pushes of the sweeper)
void central_push_swept(Span* s) { central_push_swept(s->spanclass, &s, 1); }

void central_push_swept(SpanClass spc, Span* const* spans, size_t n) {
  MCentral& c = centrals()[spc.value];
  c.lock.lock();
  const uint32_t sg = detail::heap_sweepgen.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) push_swept_locked(c, spans[i], sg);
  c.lock.unlock();
}

size_t central_claim_unswept(SpanClass spc, Span** out, size_t max) {
  MCentral& c = centrals()[spc.value];
  c.lock.lock();
  const uint32_t sg = detail::heap_sweepgen.load(std::memory_order_relaxed);
  size_t n = 0;
  while (n < max) {
    Span* s = claim_unswept(c, c.partial_unswept(sg), sg);
    if (s == nullptr) s = claim_unswept(c, c.full_unswept(sg), sg);
    if (s == nullptr) break;
    out[n++] = s;
  }
  c.lock.unlock();
  return n;
}

void central_span_counts(SpanClass spc, size_t& partial, size_t& full) {
  MCentral& c = centrals()[spc.value];
  c.lock.lock();
  partial = c.partial[0].count + c.partial[1].count;
  full = c.full[0].count + c.full[1].count;
  c.lock.unlock();
}

}  // namespace gort::gc
