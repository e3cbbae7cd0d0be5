// gort/gc/mcentral.hpp — the per-span-class span lists shared by all Ps (mirrors
// mcentral in mcentral.go).
#pragma once

#include <cstddef>

#include <gort/gc/sizeclasses.hpp>

namespace gort::gc {

struct Span;

/// Hands an mcache a span of class spc with at least one free slot: a partial
/// span from the class's list, or a new span from the heap (mirrors
/// mcentral.cacheSpan).  Takes the class's mcentral lock, then possibly the heap lock.
Span* central_cache_span(SpanClass spc);

/// Takes back span s from an mcache: onto the full list when it has no free
/// slot, else onto the partial list (mirrors mcentral.uncacheSpan).  Precondition:
/// the caller's mcache held s and no longer does.  Takes the class's mcentral lock.
void central_uncache_span(Span* s);

/// Number of spans on the partial and full lists of class spc (for tests).
/// Takes the class's mcentral lock.
void central_span_counts(SpanClass spc, size_t& partial, size_t& full);

}  // namespace gort::gc
