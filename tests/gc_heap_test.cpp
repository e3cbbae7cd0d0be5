// gc_heap_test.cpp — the managed heap's bottom layer: size classes, the page ->
// span index, spans, the page heap, mcentral/mcache and the raw allocator.
#include <gort/gort.hpp>
#include <gort/gc/arena.hpp>
#include <gort/gc/malloc.hpp>
#include <gort/gc/mcentral.hpp>
#include <gort/gc/mheap.hpp>
#include <gort/gc/sizeclasses.hpp>
#include <gort/gc/span.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace {

namespace gc = gort::gc;
using gort::test::scaled;

/// Sizes that exercise every class boundary and the large path.
std::vector<size_t> sample_sizes() {
  std::vector<size_t> sizes;
  for (size_t c = 1; c < gc::kNumSizeClasses; ++c) {
    const size_t s = gc::kClassToSize[c];
    sizes.push_back(s);
    sizes.push_back(s - 1);
    sizes.push_back(gc::kClassToSize[c - 1] + 1);
  }
  for (size_t s : {size_t{0}, size_t{1}, size_t{32769}, size_t{40000}, size_t{1} << 20}) sizes.push_back(s);
  return sizes;
}

/// Raw allocations carry no object header; a later collection in the same
/// process that reached one conservatively would read its first word as one.
/// Zeroing it makes the object look "under construction" (scanned word by word).
void clear_header_words(const std::vector<std::pair<uintptr_t, size_t>>& objects) {
  for (auto [a, size] : objects) std::memset(reinterpret_cast<void*>(a), 0, std::min<size_t>(size, 8));
}

bool all_zero(const void* p, size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  return std::all_of(b, b + n, [](unsigned char c) { return c == 0; });
}

TEST(GcHeap, SizeClassTableMatchesGo119) {
  EXPECT_EQ(gc::kNumSizeClasses, 68u);
  EXPECT_EQ(gc::kClassToSize[1], 8);
  EXPECT_EQ(gc::kClassToSize[3], 24);
  EXPECT_EQ(gc::kClassToSize[67], 32768);
  EXPECT_EQ(gc::class_to_objects(1), 1024u);
  EXPECT_EQ(gc::class_to_objects(3), 341u);
  EXPECT_EQ(gc::kClassToPages[67], 4);
  EXPECT_EQ(gc::class_to_objects(67), 1u);
  for (size_t c = 2; c < gc::kNumSizeClasses; ++c) {
    EXPECT_GT(gc::kClassToSize[c], gc::kClassToSize[c - 1]) << "class " << c;
    EXPECT_GE(gc::class_to_objects(c), 1u);
  }
  for (size_t c = 1; c < gc::kNumSizeClasses; ++c)
    EXPECT_LE(gc::class_to_objects(c) * gc::kClassToSize[c], gc::kClassToPages[c] * gc::kPageSize) << "class " << c;
}

TEST(GcHeap, EverySizeMapsToSmallestClassThatFits) {
  for (size_t size = 1; size <= gc::kMaxSmallSize; ++size) {
    const size_t c = gc::size_to_class(size);
    ASSERT_GE(c, 1u) << size;
    ASSERT_GE(gc::kClassToSize[c], size) << size;
    ASSERT_LT(gc::kClassToSize[c - 1], size) << size;
  }
}

TEST(GcHeap, SpanClassPacksSizeClassAndNoscan) {
  for (size_t c = 0; c < gc::kNumSizeClasses; ++c) {
    for (bool noscan : {false, true}) {
      const auto spc = gc::SpanClass::make(c, noscan);
      EXPECT_EQ(spc.sizeclass(), c);
      EXPECT_EQ(spc.noscan(), noscan);
      EXPECT_LT(spc.value, gc::kNumSpanClasses);
    }
  }
}

TEST(GcHeap, SpanOfFirstInteriorLastAndOutside) {
  gc::Span* s = gc::heap_alloc_span(3, gc::SpanClass::make(5, false));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->start % gc::kPageSize, 0u);
  EXPECT_EQ(gc::span_of(s->start), s);
  EXPECT_EQ(gc::span_of(s->start + gc::kPageSize + 17), s);
  EXPECT_EQ(gc::span_of(s->limit() - 1), s);
  EXPECT_NE(gc::span_of(s->limit()), s);
  EXPECT_NE(gc::span_of(s->start - 1), s);
  int on_stack = 0;
  EXPECT_EQ(gc::span_of(reinterpret_cast<uintptr_t>(&on_stack)), nullptr);
  std::vector<char> on_malloc_heap(64);
  EXPECT_EQ(gc::span_of(reinterpret_cast<uintptr_t>(on_malloc_heap.data())), nullptr);
  EXPECT_EQ(gc::span_of(0), nullptr);
  EXPECT_EQ(gc::span_of(~uintptr_t{0}), nullptr);
  const uintptr_t base = s->start;
  gc::heap_free_span(s);
  EXPECT_EQ(gc::span_of(base), nullptr) << "a free page belongs to no span";
}

TEST(GcHeap, ObjectIndexOfInteriorPointers) {
  const auto spc = gc::SpanClass::make(gc::size_to_class(48), true);
  gc::Span* s = gc::heap_alloc_span(gc::kClassToPages[spc.sizeclass()], spc);
  EXPECT_EQ(s->elemsize, 48u);
  EXPECT_EQ(s->nelems, gc::class_to_objects(spc.sizeclass()));
  for (uint32_t i = 0; i < s->nelems; ++i) {
    const uintptr_t obj = s->object_address(i);
    EXPECT_EQ(s->object_index(obj), i);
    EXPECT_EQ(s->object_index(obj + 47), i);
  }
  gc::heap_free_span(s);
}

TEST(GcHeap, ObjectIndexMultiplicationIsExactForEveryOffsetOfEveryClass) {
  for (size_t c = 1; c < gc::kNumSizeClasses; ++c) {
    gc::Span s;
    s.start = 0;
    s.npages = gc::kClassToPages[c];
    s.init_objects(gc::SpanClass::make(c, false));
    const size_t bytes = s.npages * gc::kPageSize;
    for (size_t off = 0; off < bytes; ++off) {
      ASSERT_EQ(s.object_index(off), off / s.elemsize) << "class " << c << " offset " << off;
    }
  }
}

TEST(GcHeap, SpanHandsOutEverySlotOnceThenReportsFull) {
  const auto spc = gc::SpanClass::make(1, true);  // 1024 slots: 16 bitmap words
  gc::Span* s = gc::heap_alloc_span(1, spc);
  for (uint32_t i = 0; i < s->nelems; ++i) {
    EXPECT_FALSE(s->is_allocated(i));
    EXPECT_FALSE(s->full());
    ASSERT_EQ(s->next_free_index(), i);
    ++s->alloc_count;  // as mcache.nextFree counts each object it hands out
    EXPECT_TRUE(s->is_allocated(i));
  }
  EXPECT_TRUE(s->full());
  EXPECT_EQ(s->next_free_index(), s->nelems);
  gc::heap_free_span(s);
}

TEST(GcHeap, SpanSkipsSlotsMarkedInAllocBits) {
  const auto spc = gc::SpanClass::make(gc::size_to_class(64), false);  // 128 slots
  gc::Span* s = gc::heap_alloc_span(1, spc);
  ASSERT_EQ(s->nelems, 128u);
  // As a sweep would leave it: every slot but 3, 63, 64 and 127 survived.
  for (auto& w : s->alloc_bits) w = ~uint64_t{0};
  s->alloc_bits[0] &= ~(uint64_t{1} << 3) & ~(uint64_t{1} << 63);
  s->alloc_bits[1] &= ~(uint64_t{1} << 0) & ~(uint64_t{1} << 63);
  s->alloc_cache = ~s->alloc_bits[0];
  EXPECT_EQ(s->next_free_index(), 3u);
  EXPECT_EQ(s->next_free_index(), 63u);
  EXPECT_EQ(s->next_free_index(), 64u);
  EXPECT_EQ(s->next_free_index(), 127u);
  EXPECT_EQ(s->next_free_index(), 128u);
  gc::heap_free_span(s);
}

TEST(GcHeap, FreedPagesAreReused) {
  gc::Span* a = gc::heap_alloc_span(40, gc::SpanClass::make(0, true));
  const uintptr_t base = a->start;
  std::memset(reinterpret_cast<void*>(base), 0xAB, 40 * gc::kPageSize);
  const uint64_t sys_before = gc::read_heap_stats().heap_sys;
  gc::heap_free_span(a);
  EXPECT_GE(gc::heap_free_pages(), 40u);
  // Best fit: a 40-page request takes the exact hole just freed, and dirty pages
  // come back marked needzero.
  gc::Span* b = gc::heap_alloc_span(40, gc::SpanClass::make(0, true));
  EXPECT_EQ(b->start, base);
  EXPECT_TRUE(b->needzero);
  EXPECT_EQ(gc::read_heap_stats().heap_sys, sys_before) << "reuse must not grow the heap";
  gc::heap_free_span(b);
}

TEST(GcHeap, SmallObjectsOnReusedPagesAreZeroed) {
  gort::run([] {
    // Dirty a large run of pages, free it, then allocate small objects of a
    // fresh class until they land on those pages.
    gc::Span* dirty = gc::heap_alloc_span(64, gc::SpanClass::make(0, false));
    const uintptr_t lo = dirty->start, hi = dirty->limit();
    std::memset(reinterpret_cast<void*>(lo), 0xCD, hi - lo);
    gc::heap_free_span(dirty);
    bool landed = false;
    for (int i = 0; i < 64 * 8 && !landed; ++i) {
      void* p = gc::detail::alloc(1000, false);  // 1024-byte class: 8 per page
      ASSERT_TRUE(all_zero(p, 1024));
      const auto a = reinterpret_cast<uintptr_t>(p);
      landed = a >= lo && a < hi;
    }
    EXPECT_TRUE(landed) << "small allocations never reused the freed pages";
  });
}

TEST(GcHeap, AllocationsAreDistinctAlignedZeroedAcrossSizes) {
  gort::run([] {
    std::vector<std::pair<uintptr_t, size_t>> objects;
    for (int round = 0; round < 3; ++round) {
      for (size_t size : sample_sizes()) {
        for (bool noscan : {false, true}) {
          void* p = gc::detail::alloc(size, noscan);
          ASSERT_NE(p, nullptr);
          const auto a = reinterpret_cast<uintptr_t>(p);
          EXPECT_EQ(a % 8, 0u) << size;
          if (size > 24) {
            EXPECT_EQ(a % 16, 0u) << size;
          }
          ASSERT_TRUE(all_zero(p, size)) << size;
          gc::Span* s = gc::span_of(a);
          ASSERT_NE(s, nullptr) << size;
          EXPECT_EQ(gc::span_of(a + (size > 0 ? size - 1 : 0)), s) << size;
          EXPECT_GE(s->elemsize, size);
          EXPECT_EQ(s->spanclass.noscan(), noscan);
          EXPECT_TRUE(s->is_allocated(s->object_index(a)));
          EXPECT_EQ(s->object_address(s->object_index(a)), a);
          std::memset(p, 0x5A, size);  // later objects must not see this
          objects.emplace_back(a, std::max<size_t>(size, 1));
        }
      }
    }
    std::sort(objects.begin(), objects.end());
    for (size_t i = 1; i < objects.size(); ++i)
      ASSERT_LE(objects[i - 1].first + objects[i - 1].second, objects[i].first) << "overlapping allocations";
    clear_header_words(objects);
  });
}

TEST(GcHeap, LargeObjectsGetTheirOwnSpan) {
  gort::run([] {
    const auto before = gc::read_heap_stats();
    const size_t size = 100 * 1024 + 5;
    void* p = gc::detail::alloc(size, true);
    const auto a = reinterpret_cast<uintptr_t>(p);
    gc::Span* s = gc::span_of(a);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->start, a);
    EXPECT_EQ(s->spanclass.sizeclass(), 0u);
    EXPECT_EQ(s->npages, (size + gc::kPageSize - 1) / gc::kPageSize);
    EXPECT_EQ(s->nelems, 1u);
    EXPECT_EQ(gc::span_of(a + size - 1), s);
    EXPECT_TRUE(all_zero(p, size));
    const auto after = gc::read_heap_stats();
    EXPECT_EQ(after.mallocs - before.mallocs, 1u);
    EXPECT_EQ(after.heap_alloc - before.heap_alloc, s->npages * gc::kPageSize);
    EXPECT_GE(after.heap_inuse - before.heap_inuse, s->npages * gc::kPageSize);
    // Bigger than one arena: contiguous arenas.
    const size_t huge = gc::kArenaBytes + 12345;
    void* h = gc::detail::alloc(huge, true);
    gc::Span* hs = gc::span_of(reinterpret_cast<uintptr_t>(h));
    ASSERT_NE(hs, nullptr);
    EXPECT_EQ(gc::span_of(reinterpret_cast<uintptr_t>(h) + huge - 1), hs);
    static_cast<char*>(h)[huge - 1] = 1;
    // Not freed here: the span is on its mcentral's list, where only a sweep may
    // take it off (a collection frees it once unreachable).
  });
}

TEST(GcHeap, StatisticsCountSmallObjectsWhenTheCacheFlushes) {
  gort::run([] {
    gc::detail::flush_current_cache();
    const auto before = gc::read_heap_stats();
    const int n = 1000;
    for (int i = 0; i < n; ++i) gc::detail::alloc(24, false);
    gc::detail::flush_current_cache();
    const auto after = gc::read_heap_stats();
    EXPECT_EQ(after.mallocs - before.mallocs, uint64_t(n));
    EXPECT_EQ(after.heap_objects - before.heap_objects, uint64_t(n));
    EXPECT_EQ(after.heap_alloc - before.heap_alloc, uint64_t(n) * 24);
    EXPECT_EQ(after.heap_idle, after.heap_sys - after.heap_inuse);
    size_t partial = 0, full = 0;
    gc::central_span_counts(gc::SpanClass::make(3, false), partial, full);
    EXPECT_GE(partial + full, 1u) << "flushed spans return to their mcentral";
  });
}

TEST(GcHeap, ConcurrentAllocationOnSeveralPsNeverOverlaps) {
  gort::run([] {
    gort::gomaxprocs(4);
    const int goroutines = 16;
    const int per_goroutine = scaled(4000);
    std::vector<std::vector<std::pair<uintptr_t, size_t>>> got(goroutines);
    {
      gort::test::Goroutines group;
      for (int g = 0; g < goroutines; ++g) {
        group.go([g, per_goroutine, &got] {
          auto& mine = got[g];
          mine.reserve(per_goroutine);
          for (int i = 0; i < per_goroutine; ++i) {
            const size_t size = 8 + ((i * 37 + g * 11) % 50) * 8 + (i % 97 == 0 ? 40000 : 0);
            auto* p = static_cast<unsigned char*>(gc::detail::alloc(size, (i & 1) != 0));
            ASSERT_TRUE(all_zero(p, size));
            std::memset(p, g + 1, size);  // a racing overlap shows up under TSAN too
            mine.emplace_back(reinterpret_cast<uintptr_t>(p), size);
            if (i % 64 == 0) gort::gosched();  // move between Ps and Ms
          }
        });
      }
    }
    std::vector<std::pair<uintptr_t, size_t>> all;
    for (auto& v : got) all.insert(all.end(), v.begin(), v.end());
    ASSERT_EQ(all.size(), size_t(goroutines) * per_goroutine);
    std::sort(all.begin(), all.end());
    for (size_t i = 1; i < all.size(); ++i)
      ASSERT_LE(all[i - 1].first + all[i - 1].second, all[i].first) << "overlapping allocations";
    // Contents survived: nobody else wrote into anyone's object.
    for (int g = 0; g < goroutines; ++g)
      for (auto [a, size] : got[g]) ASSERT_EQ(reinterpret_cast<unsigned char*>(a)[size - 1], g + 1);
    clear_header_words(all);
  });
}

}  // namespace
