// measured.cpp — sizeof, alignof and offsetof of the ten structs (see measured.hpp).
#include "measured.hpp"

#include "structs.hpp"

// offsetof on a struct with gc::String and gc::Ptr members: both are
// standard-layout, so Node and NodePacked are too and offsetof is defined.
static_assert(std::is_standard_layout_v<layoutlab::Node> && std::is_standard_layout_v<layoutlab::NodePacked>);

/// {"field", offsetof(T, field)}: one measured field.
#define LAYOUT_FIELD(T, f) MeasuredField{#f, offsetof(T, f)}

namespace layoutlab {

namespace {

/// A MeasuredStruct of T from its fields' measured offsets.
template <class T, class... Fields>
MeasuredStruct measured(std::string_view name, Fields... fields) {
  MeasuredStruct m{name, sizeof(T), alignof(T), {fields...}, sizeof...(fields)};
  return m;
}

}  // namespace

std::optional<std::size_t> MeasuredStruct::offset_of(std::string_view field) const {
  for (std::size_t i = 0; i < count; ++i) {
    if (fields[i].name == field) return fields[i].offset;
  }
  return std::nullopt;
}

std::optional<MeasuredPair> measure(std::string_view name) {
  if (name == "Sandwich") {
    return MeasuredPair{
        measured<Sandwich>("Sandwich", LAYOUT_FIELD(Sandwich, a), LAYOUT_FIELD(Sandwich, b),
                           LAYOUT_FIELD(Sandwich, c), LAYOUT_FIELD(Sandwich, d), LAYOUT_FIELD(Sandwich, e)),
        measured<SandwichPacked>("SandwichPacked", LAYOUT_FIELD(SandwichPacked, b), LAYOUT_FIELD(SandwichPacked, d),
                                 LAYOUT_FIELD(SandwichPacked, a), LAYOUT_FIELD(SandwichPacked, c),
                                 LAYOUT_FIELD(SandwichPacked, e))};
  }
  if (name == "Mixed") {
    return MeasuredPair{
        measured<Mixed>("Mixed", LAYOUT_FIELD(Mixed, a), LAYOUT_FIELD(Mixed, b), LAYOUT_FIELD(Mixed, c),
                        LAYOUT_FIELD(Mixed, d), LAYOUT_FIELD(Mixed, e), LAYOUT_FIELD(Mixed, f)),
        measured<MixedPacked>("MixedPacked", LAYOUT_FIELD(MixedPacked, d), LAYOUT_FIELD(MixedPacked, b),
                              LAYOUT_FIELD(MixedPacked, f), LAYOUT_FIELD(MixedPacked, c),
                              LAYOUT_FIELD(MixedPacked, a), LAYOUT_FIELD(MixedPacked, e))};
  }
  if (name == "Node") {
    return MeasuredPair{
        measured<Node>("Node", LAYOUT_FIELD(Node, active), LAYOUT_FIELD(Node, name), LAYOUT_FIELD(Node, count),
                       LAYOUT_FIELD(Node, enabled), LAYOUT_FIELD(Node, next), LAYOUT_FIELD(Node, score)),
        measured<NodePacked>("NodePacked", LAYOUT_FIELD(NodePacked, name), LAYOUT_FIELD(NodePacked, next),
                             LAYOUT_FIELD(NodePacked, count), LAYOUT_FIELD(NodePacked, score),
                             LAYOUT_FIELD(NodePacked, active), LAYOUT_FIELD(NodePacked, enabled))};
  }
  if (name == "Nested") {
    return MeasuredPair{measured<Nested>("Nested", LAYOUT_FIELD(Nested, flag), LAYOUT_FIELD(Nested, inner),
                                         LAYOUT_FIELD(Nested, tail)),
                        measured<NestedPacked>("NestedPacked", LAYOUT_FIELD(NestedPacked, inner),
                                               LAYOUT_FIELD(NestedPacked, flag), LAYOUT_FIELD(NestedPacked, tail))};
  }
  if (name == "Narrow") {
    return MeasuredPair{
        measured<Narrow>("Narrow", LAYOUT_FIELD(Narrow, a), LAYOUT_FIELD(Narrow, b), LAYOUT_FIELD(Narrow, c),
                         LAYOUT_FIELD(Narrow, d), LAYOUT_FIELD(Narrow, e), LAYOUT_FIELD(Narrow, f)),
        measured<NarrowPacked>("NarrowPacked", LAYOUT_FIELD(NarrowPacked, d), LAYOUT_FIELD(NarrowPacked, b),
                               LAYOUT_FIELD(NarrowPacked, f), LAYOUT_FIELD(NarrowPacked, a),
                               LAYOUT_FIELD(NarrowPacked, c), LAYOUT_FIELD(NarrowPacked, e))};
  }
  return std::nullopt;
}

}  // namespace layoutlab
