// devirtualised.cpp — the virtual call the compiler can see through: the
// object is built in the loop's own function, so its dynamic type is known,
// and GCC replaces the virtual call with a direct one and inlines it (Go 1.19
// does the first half of that: -gcflags=-m says "devirtualizing s.Step").
// Kept apart from loops.cpp so the class below cannot invite speculative
// devirtualisation of the honest virtual loops there.
#include "loops.hpp"

namespace {

/// A Stepper whose type the loop's function sees.
class VisibleAffineStepper final : public ifacebench::Stepper {
 public:
  explicit VisibleAffineStepper(ifacebench::Affine a) : a_(a) {}
  int64_t step(int64_t x) const override { return a_.step(x); }

 private:
  /// The concrete step it forwards to.
  ifacebench::Affine a_;
};

}  // namespace

extern "C" [[gnu::noinline]] int64_t iface_bench_devirtualised(int64_t mul, int64_t add, int64_t x, int64_t n) {
  const VisibleAffineStepper visible(ifacebench::Affine{mul, add});
  const ifacebench::Stepper& s = visible;
  for (int64_t i = 0; i < n; ++i) x = s.step(x);
  return x;
}
