// gort/gc/sizeclasses.hpp — Go 1.19's size classes, pages and span classes
// (mirrors src/runtime/sizeclasses.go of Go 1.19 and spanClass in mheap.go).
//
// A small object (at most 32 KiB) is rounded up to one of 67 object sizes; each
// size class has a span length in 8 KiB pages chosen by Go's mksizeclasses.go to
// keep tail waste at most 12.5%.  Class 0 stands for "large": such an object gets
// a span of its own.  The two tables below are data taken from Go 1.19's
// sizeclasses.go (68 classes, including the 24-byte class later Go releases
// dropped); everything else (objects per span, the size -> class lookup tables)
// is computed from them at compile time here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace gort::gc {

/// log2 of the page size: Go's _PageShift (8 KiB pages).
inline constexpr size_t kPageShift = 13;
/// Bytes per heap page, the unit of span lengths (Go's _PageSize).
inline constexpr size_t kPageSize = size_t{1} << kPageShift;
/// Largest size served from a size class; bigger objects get their own span (Go's _MaxSmallSize).
inline constexpr size_t kMaxSmallSize = 32768;
/// Number of size classes, including class 0 for large objects (Go 1.19's _NumSizeClasses).
inline constexpr size_t kNumSizeClasses = 68;
/// Granularity of the lookup table for sizes up to kSmallSizeMax (Go's smallSizeDiv).
inline constexpr size_t kSmallSizeDiv = 8;
/// Largest size looked up in the fine table (Go's smallSizeMax).
inline constexpr size_t kSmallSizeMax = 1024;
/// Granularity of the lookup table for sizes above kSmallSizeMax (Go's largeSizeDiv).
inline constexpr size_t kLargeSizeDiv = 128;

/// Object size of each class in bytes (Go 1.19 class_to_size; class 0 = large).
inline constexpr std::array<uint16_t, kNumSizeClasses> kClassToSize = {
    0,     8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,   160,   176,
    192,   208,   224,   240,   256,   288,   320,   352,   384,   416,   448,   480,   512,   576,
    640,   704,   768,   896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,  2688,  3072,
    3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880,
    12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768};

/// Pages per span of each class (Go 1.19 class_to_allocnpages).
inline constexpr std::array<uint8_t, kNumSizeClasses> kClassToPages = {
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 2, 1, 2, 1, 2, 1, 3, 2, 3, 1, 3, 2, 3, 4, 5, 6, 1, 7, 6, 5, 4, 3, 5, 7, 2, 9, 7, 5, 8, 3, 10, 7, 4};

/// Objects that fit in one span of size class c (Go's class_to_objects); 0 for class 0.
constexpr uint32_t class_to_objects(size_t c) {
  return c == 0 ? 0 : static_cast<uint32_t>(kClassToPages[c] * kPageSize / kClassToSize[c]);
}

namespace detail {
/// Smallest class whose object size is at least `size`; 0 if none (a large size).
constexpr uint8_t smallest_class_for(size_t size) {
  for (size_t c = 1; c < kNumSizeClasses; ++c)
    if (kClassToSize[c] >= size) return static_cast<uint8_t>(c);
  return 0;
}
/// Builds size_to_class8: entry i is the class of sizes in ((i-1)*8, i*8].
constexpr auto make_size_to_class8() {
  std::array<uint8_t, kSmallSizeMax / kSmallSizeDiv + 1> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = smallest_class_for(i * kSmallSizeDiv);
  return table;
}
/// Builds size_to_class128: entry i is the class of sizes in (1024+(i-1)*128, 1024+i*128].
constexpr auto make_size_to_class128() {
  std::array<uint8_t, (kMaxSmallSize - kSmallSizeMax) / kLargeSizeDiv + 1> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = smallest_class_for(kSmallSizeMax + i * kLargeSizeDiv);
  return table;
}
}  // namespace detail

/// Size -> class for sizes up to 1024, indexed by ceil(size/8) (Go's size_to_class8).
inline constexpr auto kSizeToClass8 = detail::make_size_to_class8();
/// Size -> class for sizes 1025..32768, indexed by ceil((size-1024)/128) (Go's size_to_class128).
inline constexpr auto kSizeToClass128 = detail::make_size_to_class128();

/// Returns the size class of a small object of `size` bytes (mirrors the lookup in
/// mallocgc).  Precondition: size <= kMaxSmallSize; size 0 maps to class 1.
constexpr uint8_t size_to_class(size_t size) {
  if (size <= kSmallSizeMax - 8) return kSizeToClass8[(size + kSmallSizeDiv - 1) / kSmallSizeDiv];
  return kSizeToClass128[(size - kSmallSizeMax + kLargeSizeDiv - 1) / kLargeSizeDiv];
}

/// A size class together with whether its objects contain pointers (mirrors
/// spanClass in mheap.go): (sizeclass << 1) | noscan.  Spans of noscan objects are
/// never scanned by the collector.
struct SpanClass {
  /// (sizeclass << 1) | noscan.
  uint8_t value = 0;

  /// Returns the span class for size class `sizeclass` (mirrors makeSpanClass).
  static constexpr SpanClass make(size_t sizeclass, bool noscan) {
    return SpanClass{static_cast<uint8_t>((sizeclass << 1) | (noscan ? 1 : 0))};
  }
  /// The size class (0 = large object span).
  constexpr size_t sizeclass() const { return value >> 1; }
  /// True when objects of this span class hold no pointers.
  constexpr bool noscan() const { return (value & 1) != 0; }
};

/// Number of span classes: every size class in a scan and a noscan flavour (Go's numSpanClasses).
inline constexpr size_t kNumSpanClasses = kNumSizeClasses << 1;

}  // namespace gort::gc
