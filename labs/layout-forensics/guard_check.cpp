// guard_check.cpp — proof that packed_guard.hpp fails the build on a regrown
// struct.  Never linked: ctest compiles it with -fsyntax-only, once as it is
// (it must compile: the lab's packed structs pass) and once per REGROW_* macro
// (it must fail with the guard's message; tests/CMakeLists.txt).
#include "packed_guard.hpp"

namespace layoutlab {

#if defined(REGROW_SANDWICH)
// SandwichPacked with one bool moved back between the int64s: 32 bytes, not 24.
struct SandwichRegrown {
  std::int64_t b;
  bool a;
  std::int64_t d;
  bool c;
  bool e;
};
LAYOUT_GUARD_PACKED(SandwichRegrown, kSandwichSpec);
#endif

#if defined(REGROW_NARROW)
// NarrowPacked with bool a moved to the front: 3 padding bytes before d, and
// the struct needs 16 bytes, not 12.
struct NarrowRegrown {
  bool a;
  std::int32_t d;
  std::int16_t b;
  std::int16_t f;
  bool c;
  bool e;
};
LAYOUT_GUARD_PACKED(NarrowRegrown, kNarrowSpec);
#endif

}  // namespace layoutlab
