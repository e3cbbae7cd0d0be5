// span.cpp — object slots inside a span (mirrors mspan.init, nextFreeIndex,
// refillAllocCache, objIndex and isFree in mheap.go and mbitmap.go).
//
// Model: a span is nelems slots of elemsize bytes.  Slots below freeindex are
// allocated; slots at or above it are free unless their alloc bit is set.  The
// alloc bits only change at a sweep (next layer), which replaces them with the
// mark bits and resets freeindex to 0; allocation only advances freeindex, so the
// fast path writes no bitmap.  alloc_cache holds the complement of the 64 alloc
// bits from freeindex on, shifted so that the next free slot is its lowest set bit.
//
// Invariants: freeindex <= nelems; alloc_count <= nelems; bit b of alloc_cache
// is 1 iff slot freeindex+b is free (within the current 64-slot word);
// sample_limit <= nelems, and equal to it unless an mcache holds the span.
//
// Rejected: a free list threaded through the objects (what malloc does) — it
// writes into free memory, which a conservative scan would read as pointers and
// which a sweep would have to rebuild; bitmaps outside the objects keep the heap
// memory of dead objects untouched until reuse.
#include <gort/gc/span.hpp>

#include <cassert>

namespace gort::gc {

// mirrors mspan.init and the size-class half of mheap.initSpan in mheap.go
void Span::init_objects(SpanClass spc) {
  spanclass = spc;
  if (spc.sizeclass() == 0) {
    elemsize = npages * kPageSize;
    nelems = 1;
    div_mul = 0;  // one object: its index is always 0
  } else {
    elemsize = kClassToSize[spc.sizeclass()];
    nelems = class_to_objects(spc.sizeclass());
    div_mul = UINT32_MAX / static_cast<uint32_t>(elemsize) + 1;
  }
  sample_limit = nelems;
  sample_mark = 0;
  freeindex = 0;
  freeindex_for_scan = 0;
  alloc_count = 0;
  alloc_count_at_cache = 0;
  for (auto& w : alloc_bits) w = 0;
  for (auto& w : mark_bits) w = 0;
  refill_alloc_cache(0);
  has_destructors = false;
  specials = nullptr;  // a span is freed only after its sweep removed them
  state = SpanState::InUse;
  next = prev = nullptr;
}

// mirrors mspan.refillAllocCache in mbitmap.go
void Span::refill_alloc_cache(uint32_t word_index) { alloc_cache = ~alloc_bits[word_index]; }

// mirrors mspan.nextFreeIndex in mbitmap.go
uint32_t Span::next_free_index() {
  uint32_t index = freeindex;
  if (index == nelems) return index;
  uint64_t cache = alloc_cache;
  while (cache == 0) {
    // No free slot left in this word: move to the start of the next one.
    index = (index + 64) & ~uint32_t{63};
    if (index >= nelems) {
      freeindex = nelems;
      return nelems;
    }
    refill_alloc_cache(index / 64);
    cache = alloc_cache;
  }
  const uint32_t bit = static_cast<uint32_t>(__builtin_ctzll(cache));
  const uint32_t result = index + bit;
  if (result >= nelems) {
    freeindex = nelems;
    return nelems;
  }
  freeindex = result + 1;
  if (freeindex % 64 == 0) {
    if (freeindex != nelems) refill_alloc_cache(freeindex / 64);
  } else {
    alloc_cache = cache >> (bit + 1);  // bit <= 62 here, so the shift is defined
  }
  return result;
}

// mirrors mspan.objIndex in mbitmap.go (a division; Go uses magic multipliers)

namespace {

/// Installs `words` mark-bit words as allocation bits, clears the mark bits and
/// returns the bits set.
template <bool kPopcnt>
uint32_t move_mark_bits(uint64_t* alloc, uint64_t* mark, size_t words) {
  uint32_t live = 0;
  for (size_t w = 0; w < words; ++w) {
    if constexpr (kPopcnt) {
      uint64_t count;
      asm("popcnt %1, %0" : "=r"(count) : "r"(mark[w]));
      live += static_cast<uint32_t>(count);
    } else {
      live += static_cast<uint32_t>(__builtin_popcountll(mark[w]));
    }
    // Relaxed atomic: set_finalizer's find_object reads these words while a
    // sweep rewrites them (is_allocated_for_scan); a plain store on x86-64.
    __atomic_store_n(&alloc[w], mark[w], __ATOMIC_RELAXED);
    mark[w] = 0;
  }
  return live;
}

/// True when the CPU has the POPCNT instruction (every x86-64 CPU since 2008;
/// Debian's baseline does not assume it, and the library call GCC emits
/// instead took 8% of a sweep-heavy run's CPU, NOTES.md §13).  Chosen at run
/// time rather than with GCC's target_clones, whose ifunc resolver runs before
/// the sanitizers' runtimes are up and crashed the TSAN build at start.
bool cpu_has_popcnt() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") != 0;
  }();
  return has;
}

}  // namespace

// mirrors the mark-bit half of mspan.sweep in mgcsweep.go: only the words that
// hold the span's nelems objects (words past them stay zero from init), as
// Go's countAlloc and bitmap swap cover only (nelems+7)/8 bytes
uint32_t Span::install_mark_bits() {
  const size_t words = (size_t{nelems} + 63) / 64;
  const uint32_t live = cpu_has_popcnt() ? move_mark_bits<true>(alloc_bits, mark_bits, words)
                                         : move_mark_bits<false>(alloc_bits, mark_bits, words);
  freeindex = 0;
  // Released after the new allocation bits: a reader that sees 0 here reads
  // them, one that sees the old index reads bits that agree for every live
  // object either way (is_allocated_for_scan).
  __atomic_store_n(&freeindex_for_scan, 0, __ATOMIC_RELEASE);
  alloc_count = live;
  alloc_count_at_cache = live;
  refill_alloc_cache(0);
  return live;
}


}  // namespace gort::gc
