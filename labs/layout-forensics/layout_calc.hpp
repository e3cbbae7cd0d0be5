// layout_calc.hpp — the "by hand" part of the exercise as a calculator: field
// offsets, padding and size of a struct from its fields' sizes and alignments,
// by the rules C++ (the Itanium ABI on x86-64) and Go (gc on amd64) share.
//
// The rules, applied field by field in declaration order:
//   offset(f) = the running size rounded up to alignof(f)  (padding before f),
//   running size = offset(f) + sizeof(f),
//   alignof(struct) = the largest field alignment,
//   sizeof(struct) = the running size rounded up to alignof(struct)
//                    (tail padding, so every element of an array stays aligned).
// Go adds one rule for a trailing zero-size field, which no struct here has.
//
// minimal_order is the reorder the exercise asks for: fields sorted by
// alignment, largest first (stable, so equal alignments keep their order).
// When every size is a multiple of its alignment, as for every C++ and Go
// type, that order leaves padding only at the tail, so no order is smaller;
// Go's fieldalignment analyzer suggests the same order, with pointer-holding
// fields first among equals (it then also minimises the GC's "pointer bytes").
//
// Everything is constexpr, so the build-time guard (packed_guard.hpp) can
// compare a packed struct's sizeof with the calculator's minimum.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace layoutlab {

/// Most fields a struct of this lab has (the calculator's fixed capacity).
inline constexpr std::size_t kMaxFields = 8;

/// One field as the calculator sees it.
struct FieldSpec {
  /// The field's name, as in both runtimes' declarations.
  std::string_view name;
  /// Its type as Go spells it ("int64", "string", "*Node"), for the report.
  std::string_view go_type;
  std::size_t size = 0;
  std::size_t align = 1;
  /// The field holds pointers the garbage collector must follow.
  bool pointers = false;
};

/// A struct's fields in declaration order.
struct StructSpec {
  std::string_view name;
  std::array<FieldSpec, kMaxFields> fields{};
  std::size_t count = 0;
};

/// Where one field landed.
struct Placement {
  std::size_t offset = 0;
  /// Padding bytes inserted just before the field.
  std::size_t padding_before = 0;
};

/// A computed layout.
struct Layout {
  std::array<Placement, kMaxFields> placements{};
  std::size_t size = 0;
  std::size_t align = 1;
  /// Bytes of all padding, interior and tail.
  std::size_t padding = 0;
  /// Padding after the last field.
  std::size_t tail_padding = 0;
  /// Bytes from the start to the end of the last pointer-holding field (Go's
  /// ptrdata: how far into each element the collector must look); 0 when none.
  std::size_t pointer_bytes = 0;
};

/// n rounded up to a multiple of a.  Precondition: a is a power of two.
constexpr std::size_t align_up(std::size_t n, std::size_t a) { return (n + a - 1) & ~(a - 1); }

/// The layout of s by the rules above.  Precondition: every alignment is a power of two.
constexpr Layout compute_layout(const StructSpec& s) {
  Layout l;
  std::size_t end = 0;
  for (std::size_t i = 0; i < s.count; ++i) {
    const FieldSpec& f = s.fields[i];
    const std::size_t offset = align_up(end, f.align);
    l.placements[i] = {offset, offset - end};
    l.padding += offset - end;
    end = offset + f.size;
    if (f.align > l.align) l.align = f.align;
    if (f.pointers) l.pointer_bytes = end;
  }
  l.size = align_up(end, l.align);
  l.tail_padding = l.size - end;
  l.padding += l.tail_padding;
  return l;
}

/// s with its fields sorted by alignment, largest first; among equal
/// alignments pointer-holding fields first, then declaration order.
constexpr StructSpec minimal_order(StructSpec s) {
  // Insertion sort: stable, constexpr, and n <= kMaxFields.
  for (std::size_t i = 1; i < s.count; ++i) {
    const FieldSpec f = s.fields[i];
    std::size_t j = i;
    const auto before = [&f](const FieldSpec& g) {
      return f.align > g.align || (f.align == g.align && f.pointers && !g.pointers);
    };
    while (j > 0 && before(s.fields[j - 1])) {
      s.fields[j] = s.fields[j - 1];
      --j;
    }
    s.fields[j] = f;
  }
  return s;
}

/// The smallest size any field order of s can have.
constexpr std::size_t minimal_size(const StructSpec& s) { return compute_layout(minimal_order(s)).size; }

}  // namespace layoutlab
