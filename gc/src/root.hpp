// root.hpp — the global roots' mark (root.cpp): gc::Roots and root ranges.
// Part of the collector's internal interface, one header per source file (see
// gc/README.md); not installed.
#pragma once

#include <cstddef>

#include "mark.hpp"

namespace gort::gc::detail {

/// Calls state.mark_address on every registered root's object; returns the
/// number of roots (each counts 8 bytes of "globals").  Takes the root lock.
std::size_t mark_registered_roots(MarkState& state);
/// Scans every root range (gort/runtime/internal/root_range.hpp) conservatively into
/// state; returns their bytes.  Takes the root-range registry lock.
std::size_t mark_root_ranges(MarkState& state);

}  // namespace gort::gc::detail
