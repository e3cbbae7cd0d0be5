// measured.hpp — what the compiler says about the ten structs: sizeof,
// alignof and every field's offsetof (C++'s unsafe.Sizeof/Alignof/Offsetof),
// for the report to set beside the calculator's figures and the tests to
// check the calculator against.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "layout_calc.hpp"

namespace layoutlab {

/// One field's offset as compiled.
struct MeasuredField {
  std::string_view name;
  std::size_t offset = 0;
};

/// One struct as compiled: its fields in declaration order.
struct MeasuredStruct {
  std::string_view name;
  std::size_t size = 0;
  std::size_t align = 0;
  std::array<MeasuredField, kMaxFields> fields{};
  std::size_t count = 0;

  /// The offset of the field called `field`, or nullopt when there is none.
  std::optional<std::size_t> offset_of(std::string_view field) const;
};

/// A bad struct and its packed version as compiled.
struct MeasuredPair {
  MeasuredStruct bad;
  MeasuredStruct packed;
};

/// The compiler's layouts of the struct pair called `name` ("Sandwich", ...),
/// or nullopt for an unknown name.
std::optional<MeasuredPair> measure(std::string_view name);

}  // namespace layoutlab
