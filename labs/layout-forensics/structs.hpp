// structs.hpp — the lab's five "interestingly bad" structs, each beside its
// reordered ("packed") version, and the field lists the calculator reads.
//
// The same ten structs, field for field, are in go/main.go.  C++ types are
// chosen to have Go's sizes and alignments on x86-64: bool/uint8 1, int16 2,
// int32/uint32/float 4, int64/uint64 8, gc::String 16 (pointer and length, as
// Go's string header), gc::Ptr 8 (as a Go pointer).  Each bad struct teaches
// one thing:
//
//   Sandwich  the course's own: bools between int64s, 7 padding bytes after
//             each of them (40 bytes for 19 of data).
//   Mixed     six integer widths in no order: padding of 3, 6 and 3 bytes.
//   Node      pointers among scalars: scannable by the GC, and in Go the
//             collector walks every word up to the last pointer of each
//             element (ptrdata), so where the pointers sit matters too.
//   Nested    an embedded struct's own tail padding is part of its size: the
//             outer struct can move the inner one but never reuse its padding.
//   Narrow    only 1-, 2- and 4-byte fields: 4-byte alignment, so the packed
//             size is a multiple of 4, not 8.
//
// The packed versions list the same fields in layout_calc's minimal_order;
// packed_guard.hpp holds them to that size at compile time.
#pragma once

#include <gort/gc.hpp>

#include <cstdint>

#include "layout_calc.hpp"

namespace layoutlab {

struct Sandwich {
  bool a;
  std::int64_t b;
  bool c;
  std::int64_t d;
  bool e;
};
struct SandwichPacked {
  std::int64_t b;
  std::int64_t d;
  bool a;
  bool c;
  bool e;
};

struct Mixed {
  std::uint8_t a;
  std::uint32_t b;
  std::uint16_t c;
  std::uint64_t d;
  std::uint8_t e;
  std::uint32_t f;
};
struct MixedPacked {
  std::uint64_t d;
  std::uint32_t b;
  std::uint32_t f;
  std::uint16_t c;
  std::uint8_t a;
  std::uint8_t e;
};

/// A list node with a name: the one pointer-holding pair.  Arrays of it live
/// in scan spans and the collector visits name and next of every element.
struct Node {
  bool active;
  gort::gc::String name;
  std::int64_t count;
  bool enabled;
  gort::gc::Ptr<Node> next;
  float score;

  /// Lists the managed fields for the collector.
  void trace(gort::gc::Tracer& t) const {
    t.visit(name);
    t.visit(next);
  }
};
struct NodePacked {
  gort::gc::String name;
  gort::gc::Ptr<NodePacked> next;
  std::int64_t count;
  float score;
  bool active;
  bool enabled;

  /// Lists the managed fields for the collector.
  void trace(gort::gc::Tracer& t) const {
    t.visit(name);
    t.visit(next);
  }
};

/// What Nested embeds: already minimal (8 + 1, padded to 16).
struct Inner {
  std::int64_t v;
  bool ok;
};
struct Nested {
  bool flag;
  Inner inner;
  bool tail;
};
struct NestedPacked {
  Inner inner;
  bool flag;
  bool tail;
};

struct Narrow {
  bool a;
  std::int16_t b;
  bool c;
  std::int32_t d;
  bool e;
  std::int16_t f;
};
struct NarrowPacked {
  std::int32_t d;
  std::int16_t b;
  std::int16_t f;
  bool a;
  bool c;
  bool e;
};

/// A field of type T for the calculator (size and alignment from the compiler
/// of this build: the calculator is then checked against offsetof, not fed by it).
template <class T>
constexpr FieldSpec field(std::string_view name, std::string_view go_type, bool pointers = false) {
  return {name, go_type, sizeof(T), alignof(T), pointers};
}

// The bad structs' fields in declaration order: the calculator's input.
inline constexpr StructSpec kSandwichSpec{
    "Sandwich",
    {field<bool>("a", "bool"), field<std::int64_t>("b", "int64"), field<bool>("c", "bool"),
     field<std::int64_t>("d", "int64"), field<bool>("e", "bool")},
    5};
inline constexpr StructSpec kMixedSpec{
    "Mixed",
    {field<std::uint8_t>("a", "uint8"), field<std::uint32_t>("b", "uint32"), field<std::uint16_t>("c", "uint16"),
     field<std::uint64_t>("d", "uint64"), field<std::uint8_t>("e", "uint8"), field<std::uint32_t>("f", "uint32")},
    6};
inline constexpr StructSpec kNodeSpec{
    "Node",
    {field<bool>("active", "bool"), field<gort::gc::String>("name", "string", true),
     field<std::int64_t>("count", "int64"), field<bool>("enabled", "bool"),
     field<gort::gc::Ptr<Node>>("next", "*Node", true), field<float>("score", "float32")},
    6};
inline constexpr StructSpec kNestedSpec{
    "Nested",
    {field<bool>("flag", "bool"), field<Inner>("inner", "Inner"), field<bool>("tail", "bool")},
    3};
inline constexpr StructSpec kNarrowSpec{
    "Narrow",
    {field<bool>("a", "bool"), field<std::int16_t>("b", "int16"), field<bool>("c", "bool"),
     field<std::int32_t>("d", "int32"), field<bool>("e", "bool"), field<std::int16_t>("f", "int16")},
    6};

/// The five specs in report order.
inline constexpr std::array<const StructSpec*, 5> kAllSpecs{&kSandwichSpec, &kMixedSpec, &kNodeSpec, &kNestedSpec,
                                                            &kNarrowSpec};

}  // namespace layoutlab
