// sizeclasses.cpp — compile-time checks of the size-class tables in
// gort/gc/sizeclasses.hpp (mirrors the properties mksizeclasses.go guarantees).
//
// The tables are Go 1.19's data; the lookup tables are derived from them.  These
// assertions fail the build if a table edit breaks what the allocator relies on:
// sizes strictly increase and are multiples of 8 (of 16 from 32 on, for alignment),
// a span of each class holds at least one object, and the lookup tables return
// the smallest class that fits.  The tests check the same at run time for every size.
#include <gort/gc/sizeclasses.hpp>
#include <gort/gc/span.hpp>

namespace gort::gc {

namespace {

/// Object sizes strictly increase with the class.
constexpr bool sizes_increase() {
  for (size_t c = 2; c < kNumSizeClasses; ++c)
    if (kClassToSize[c] <= kClassToSize[c - 1]) return false;
  return true;
}

/// Every object of a span is 8-aligned, and 16-aligned from 32 bytes on.
constexpr bool sizes_aligned() {
  for (size_t c = 1; c < kNumSizeClasses; ++c) {
    const size_t align = kClassToSize[c] >= 32 ? 16 : 8;
    if (kClassToSize[c] % align != 0) return false;
  }
  return true;
}

/// Each class's span holds at least one object and no more than fit.
constexpr bool spans_hold_objects() {
  for (size_t c = 1; c < kNumSizeClasses; ++c)
    if (class_to_objects(c) == 0 || class_to_objects(c) * kClassToSize[c] > kClassToPages[c] * kPageSize) return false;
  return true;
}

/// size_to_class returns the smallest class that fits, for every small size.
constexpr bool lookup_is_smallest_fit() {
  for (size_t size = 1; size <= kMaxSmallSize; ++size) {
    const size_t c = size_to_class(size);
    if (kClassToSize[c] < size || kClassToSize[c - 1] >= size) return false;
  }
  return true;
}

static_assert(kClassToSize[kNumSizeClasses - 1] == kMaxSmallSize);
static_assert(sizes_increase());
static_assert(sizes_aligned());
static_assert(spans_hold_objects());
/// A span's alloc and mark bitmaps have a bit for each of its objects.
constexpr bool bitmaps_cover_spans() {
  for (size_t c = 1; c < kNumSizeClasses; ++c)
    if (class_to_objects(c) > kSpanBitmapWords * 64) return false;
  return true;
}
static_assert(bitmaps_cover_spans());
static_assert(lookup_is_smallest_fit());

}  // namespace

}  // namespace gort::gc
