// mcentral.cpp — per-span-class span lists (mirrors mcentral.cacheSpan,
// uncacheSpan and grow in mcentral.go).
//
// Model: one mcentral per span class (136), each a lock and two intrusive lists:
// `partial` (spans with a free slot, not cached by any mcache) and `full` (no
// free slot).  An mcache takes a partial span or, if none, a fresh span the
// mcentral gets from the heap; it gives the span back when it is used up (or the
// P is destroyed).  A span cached by an mcache is on neither list.  The sweeper
// (next layer) will move swept spans from `full` back to `partial` or free them.
//
// Invariants: a span is on at most one list; every span on `partial` has
// freeindex < nelems; the lists hold only spans of their class.
//
// Rejected: Go 1.19's lock-free spanSets split into swept/unswept halves per
// sweep generation — they exist for concurrent sweeping, which this layer does
// not have yet; a locked list is correct and the lock is off the fast path
// (taken once per span, not per object).
#include <gort/gc/mcentral.hpp>

#include <array>

#include <gort/gc/mheap.hpp>
#include <gort/gc/span.hpp>
#include <gort/runtime/lock.hpp>

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
  /// Guards both lists.
  runtime::Lock lock;
  /// Spans with at least one free slot, not cached.
  SpanList partial;
  /// Spans with no free slot, not cached.
  SpanList full;
};

/// One mcentral per span class, indexed by SpanClass::value.  Never destroyed.
std::array<MCentral, kNumSpanClasses>& centrals() {
  static auto* all = new std::array<MCentral, kNumSpanClasses>();
  return *all;
}

}  // namespace

// mirrors mcentral.cacheSpan (and mcentral.grow) in mcentral.go
Span* central_cache_span(SpanClass spc) {
  MCentral& c = centrals()[spc.value];
  c.lock.lock();
  Span* s = c.partial.pop();
  c.lock.unlock();
  if (s != nullptr) return s;
  // mirrors mcentral.grow: a whole new span, lock not held across the heap call
  return heap_alloc_span(kClassToPages[spc.sizeclass()], spc);
}

// mirrors mcentral.uncacheSpan in mcentral.go
void central_uncache_span(Span* s) {
  MCentral& c = centrals()[s->spanclass.value];
  c.lock.lock();
  if (s->full()) {
    c.full.push(s);
  } else {
    c.partial.push(s);
  }
  c.lock.unlock();
}

void central_span_counts(SpanClass spc, size_t& partial, size_t& full) {
  MCentral& c = centrals()[spc.value];
  c.lock.lock();
  partial = c.partial.count;
  full = c.full.count;
  c.lock.unlock();
}

}  // namespace gort::gc
