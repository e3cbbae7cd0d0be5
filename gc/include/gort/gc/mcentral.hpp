// gort/gc/mcentral.hpp — the per-span-class span lists shared by all Ps (mirrors
// mcentral in mcentral.go).
#pragma once

#include <cstddef>

#include <gort/gc/sizeclasses.hpp>

namespace gort::gc {

struct Span;

/// Hands an mcache a swept span of class spc with at least one free slot: a
/// swept partial span, an unswept one it sweeps itself, or a new span from the
/// heap (mirrors mcentral.cacheSpan).  Takes the class's mcentral lock, then possibly the heap lock.
Span* central_cache_span(SpanClass spc);

/// Puts span s, swept and owned by the caller, on its mcentral's swept partial
/// or full list, stamping it swept for the current generation: a span an mcache
/// gives back, a span the sweeper kept, a new large-object span (mirrors
/// mcentral.uncacheSpan and the spanSet pushes of sweepLocked.sweep and allocLarge).  Takes the class's mcentral lock.
void central_push_swept(Span* s);

/// central_push_swept for n spans of class spc in one hold of its lock (the
/// sweeper's batches).  Precondition: every span is of class spc.
void central_push_swept(SpanClass spc, Span* const* spans, size_t n);

/// Pops and claims (sweepgen h-2 -> h-1) up to max unswept spans of class spc,
/// partial ones first, into out; returns how many (the sweeper's half of
/// mheap.nextSpanForSweep, a batch per hold of the class's mcentral lock).
size_t central_claim_unswept(SpanClass spc, Span** out, size_t max);

/// Number of spans on the partial and full lists of class spc (for tests).
/// Takes the class's mcentral lock.
void central_span_counts(SpanClass spc, size_t& partial, size_t& full);

}  // namespace gort::gc
