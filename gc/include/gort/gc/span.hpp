// gort/gc/span.hpp — a span: a run of heap pages holding objects of one span
// class (mirrors mspan in mheap.go and the allocation-bit helpers in mbitmap.go).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <gort/gc/sizeclasses.hpp>

namespace gort::runtime {
struct ProfBucket;
}

namespace gort::gc {

/// Words of a span's allocation or mark bitmap: one bit per object, and no span
/// holds more than 8 KiB / 8 B = 1024 objects (class 1 on one page).
inline constexpr size_t kSpanBitmapWords = kPageSize / 8 / 64;

/// What a span's pages are used for (mirrors mSpanState).
enum class SpanState : uint8_t {
  /// Not handed out by the page allocator (metadata parked for reuse).
  Dead,
  /// Holds heap objects (mSpanInUse).
  InUse,
};

/// A run of pages holding objects of one span class.  Allocation and mark bits
/// live here, outside the objects, so a free object's memory is never read.
/// All fields are owned by whoever holds the span: the mcentral lock while it sits
/// on an mcentral list, the owning P's mcache while cached, the heap lock in the
/// page allocator.
/// A sampled object's record on its span (mirrors specialprofile): the slot and
/// the heap profile bucket its allocation was recorded in.
struct ProfileSpecial {
  ProfileSpecial* next;
  uint32_t index;
  runtime::ProfBucket* bucket;
};

struct Span {
  /// Address of the first byte.
  uintptr_t start = 0;
  /// Length in pages.
  size_t npages = 0;
  /// Size class and scan/noscan flavour of its objects.
  SpanClass spanclass{};
  /// Bytes per object (npages * kPageSize for a large-object span).
  size_t elemsize = 0;
  /// Objects the span holds.
  uint32_t nelems = 0;
  /// Slots at or above this index leave next_free_fast for the slow path:
  /// nelems, or lower while an mcache holds the span and the heap profile's
  /// next sample of its class falls inside it (mcache_sample.cpp).  So the
  /// sample costs the fast path nothing: it moves a bound the fast path tests
  /// anyway.  Invariant: sample_limit <= nelems.  Owned with the span.
  uint32_t sample_limit = 0;
  /// 2^32 / elemsize rounded up, so offset / elemsize = (offset * div_mul) >> 32
  /// for every offset in the span (mirrors mspan.divMul); 0 for a large span.
  uint32_t div_mul = 0;
  /// Slots below freeindex are allocated; at or above it, a slot is free unless
  /// its alloc bit is set (mirrors mspan.freeindex).
  uint32_t freeindex = 0;
  /// freeindex as of the last allocation whose object is ready to be scanned:
  /// zeroed and, during a mark, marked black (mirrors mspan.freeIndexForScan,
  /// Go 1.20).  Concurrent markers judge "allocated" by it, never by freeindex,
  /// so a stale stack word naming a slot being handed out cannot make them scan
  /// half-initialised memory.  Written by the owner with release, read with acquire.
  uint32_t freeindex_for_scan = 0;
  /// Objects allocated (mirrors mspan.allocCount).
  uint32_t alloc_count = 0;
  /// Complement of alloc_bits starting at freeindex, shifted so bit 0 is the
  /// freeindex slot: a count-trailing-zeros finds the next free slot (mirrors allocCache).
  uint64_t alloc_cache = 0;
  /// Objects allocated before the last sweep (set bit = allocated); slots at or
  /// above freeindex with a clear bit are free (mirrors allocBits).  All clear in a
  /// fresh span; a sweep will install the mark bits here.
  uint64_t alloc_bits[kSpanBitmapWords] = {};
  /// Objects found reachable by the current mark (mirrors gcmarkBits).  Cleared
  /// when the span is initialised and by each sweep; set by the marker.
  uint64_t mark_bits[kSpanBitmapWords] = {};
  /// Sweep state relative to the heap's sweepgen h (mirrors mspan.sweepgen):
  /// h-2 needs sweeping, h-1 is being swept, h is swept.  Claimed with a CAS.
  std::atomic<uint32_t> sweepgen{0};
  /// True when an object with a destructor was allocated here since the last
  /// sweep: the sweeper then visits each dead object (Go's specials play this role).
  bool has_destructors = false;
  /// Page-allocator or mcentral state.
  SpanState state = SpanState::Dead;
  /// True when the span's memory may hold old data and objects must be zeroed
  /// when allocated (mirrors mspan.needzero).
  bool needzero = false;
  /// Sampled objects of the heap profile living here (Go's specialprofile
  /// records on mspan.specials): allocation adds one while the span is cached
  /// by the allocating P (or, for a large span, before any sweep can claim
  /// it); the sweep that frees the object removes it.  So, like the bitmaps,
  /// owned by whoever holds the span.
  ProfileSpecial* specials = nullptr;
  /// alloc_count when an mcache took the span, so the mcache can count what it
  /// allocated when it hands the span back.
  uint32_t alloc_count_at_cache = 0;
  /// alloc_count when the caching mcache last counted this span's allocations
  /// into its sample countdown (mcache_sample.cpp).
  uint32_t sample_mark = 0;
  /// Links in an mcentral list or the heap's free Span-record list.
  Span* next = nullptr;
  Span* prev = nullptr;

  /// One past the last byte.
  uintptr_t limit() const { return start + npages * kPageSize; }

  /// Sets up a span fresh from the page allocator for objects of `spc` (mirrors
  /// mspan.init plus the class-dependent part of initSpan).  Precondition: start
  /// and npages set; the caller owns the span.
  void init_objects(SpanClass spc);

  /// Returns the index of the next free slot and advances freeindex past it, or
  /// nelems when the span is full (mirrors mspan.nextFreeIndex).  Caller owns the span.
  uint32_t next_free_index();

  /// The allocation fast path (mirrors nextFreeFast in malloc.go): the next free
  /// slot from alloc_cache alone, counted in alloc_count, or UINT32_MAX when the
  /// cache word is used up or the slot is at sample_limit (the caller then takes
  /// next_free_index's slow path).  Caller owns the span.
  uint32_t next_free_fast() {
    if (alloc_cache == 0) return UINT32_MAX;
    const uint32_t bit = static_cast<uint32_t>(__builtin_ctzll(alloc_cache));
    const uint32_t result = freeindex + bit;
    if (result >= sample_limit) return UINT32_MAX;  // nelems, or the next heap profile sample
    const uint32_t next = result + 1;
    if (next % 64 == 0 && next != nelems) return UINT32_MAX;  // refill at a word boundary: slow path
    alloc_cache = bit == 63 ? 0 : alloc_cache >> (bit + 1);
    freeindex = next;
    ++alloc_count;
    return result;
  }

  /// Returns the index of the object containing addr (mirrors mspan.objIndex and
  /// divideByElemSize: a multiply and a shift instead of a division, exact for
  /// every offset inside a span of Go's size classes).
  /// Precondition: start <= addr < start + nelems * elemsize.
  uint32_t object_index(uintptr_t addr) const {
    return static_cast<uint32_t>((uint64_t{static_cast<uint32_t>(addr - start)} * div_mul) >> 32);
  }

  /// Returns the address of object `index`.
  uintptr_t object_address(uint32_t index) const { return start + uintptr_t{index} * elemsize; }

  /// True when slot `index` is allocated (mirrors mspan.isFree, negated).
  /// Caller owns the span.
  bool is_allocated(uint32_t index) const {
    if (index < freeindex) return true;
    return (alloc_bits[index / 64] >> (index % 64)) & 1;
  }

  /// True when slot `index` holds an object a marker may scan: allocated and
  /// published by publish_allocations (mirrors isFree with freeIndexForScan).
  /// Any thread.  alloc_bits change only at a sweep, never during a mark, but
  /// set_finalizer asks outside a mark, possibly while the span is swept: the
  /// sweep installs the new bits before releasing freeindex_for_scan = 0
  /// (install_mark_bits), so a live object reads as allocated in every mix.
  bool is_allocated_for_scan(uint32_t index) const {
    if (index < __atomic_load_n(&freeindex_for_scan, __ATOMIC_ACQUIRE)) return true;
    return (__atomic_load_n(&alloc_bits[index / 64], __ATOMIC_RELAXED) >> (index % 64)) & 1;
  }

  /// Makes every allocation so far visible to markers (after zeroing and, while
  /// marking, after marking it).  Caller owns the span.
  void publish_allocations() { __atomic_store_n(&freeindex_for_scan, freeindex, __ATOMIC_RELEASE); }

  /// Sets the mark bit of slot index atomically (markers may set others in
  /// the same word); returns true when it was clear.
  bool try_mark(uint32_t index) {
    const uint64_t bit = uint64_t{1} << (index % 64);
    if (__atomic_load_n(&mark_bits[index / 64], __ATOMIC_RELAXED) & bit) return false;
    return (__atomic_fetch_or(&mark_bits[index / 64], bit, __ATOMIC_RELAXED) & bit) == 0;
  }

  /// True when the span has no free slot left.  Counted, not read from
  /// freeindex: after a sweep the slots above freeindex may all be live (mirrors
  /// the allocCount == nelems test of mcentral.uncacheSpan).
  bool full() const { return alloc_count == nelems; }

  /// True when slot index is marked in mark_bits.
  bool is_marked(uint32_t index) const {
    return (__atomic_load_n(&mark_bits[index / 64], __ATOMIC_RELAXED) >> (index % 64)) & 1;
  }

  /// Installs the mark bits as the allocation bits and clears the marks; returns
  /// the objects still allocated (the sweep's bitmap step, mirrors the tail of
  /// mspan.sweep).  Caller owns the span.
  uint32_t install_mark_bits();

 private:
  /// Loads alloc_cache from the alloc_bits word holding slot word_index*64 (mirrors refillAllocCache).
  void refill_alloc_cache(uint32_t word_index);
};

}  // namespace gort::gc
