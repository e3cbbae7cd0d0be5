// packed_guard.hpp — the month-2 capstone's "fieldalignment in CI", for C++:
// every packed struct of the lab is held at compile time to the smallest size
// any order of its fields can have (layout_calc's minimal_size), so a change
// that regrows one (a field moved between wider ones, a field added where
// padding cannot absorb it) fails the build with a message saying what to do.
//
// Why a static_assert and not -Wpadded: GCC's -Wpadded reports every padding
// byte, tail padding included, and tail padding is often unavoidable
// (SandwichPacked has 19 bytes of fields and alignment 8, so 5 bytes of tail
// padding in every order).  Go's fieldalignment analyzer likewise reports only
// a struct that could be smaller, which is what this guard checks.
//
// guard_check.cpp compiles this header with a regrown struct, and ctest
// expects the build of that file to fail with the guard's message
// (tests/CMakeLists.txt, LabLayoutForensics.PackedGuard.*).
#pragma once

#include "layout_calc.hpp"
#include "structs.hpp"

/// Fails the build unless `packed` has the minimal size of the fields of `spec`.
#define LAYOUT_GUARD_PACKED(packed, spec)                                               \
  static_assert(sizeof(packed) == ::layoutlab::minimal_size(spec),                     \
                #packed " regrew past the minimal size of its fields: reorder them by " \
                        "alignment, largest first (layout_calc.hpp, minimal_order)")

LAYOUT_GUARD_PACKED(layoutlab::SandwichPacked, layoutlab::kSandwichSpec);
LAYOUT_GUARD_PACKED(layoutlab::MixedPacked, layoutlab::kMixedSpec);
LAYOUT_GUARD_PACKED(layoutlab::NodePacked, layoutlab::kNodeSpec);
LAYOUT_GUARD_PACKED(layoutlab::NestedPacked, layoutlab::kNestedSpec);
LAYOUT_GUARD_PACKED(layoutlab::NarrowPacked, layoutlab::kNarrowSpec);
