// stepper.hpp — the method the three-way benchmark calls: Step, an affine
// step x*mul + add, as a concrete type (Affine) and behind an interface
// (Stepper).
//
// x*mul + add carries a dependency from one call to the next (an IMUL and an
// ADD, about four cycles), so no compiler can vectorise the loop or fold it
// into a closed form: what remains to compare is the call itself.  The only
// implementation of Stepper lives in stepper_impl.cpp, behind make_stepper,
// so the translation units that call through a Stepper never see a class that
// could let the compiler guess the dynamic type (devirtualisation, checked in
// the disassembly); devirtualised.cpp shows what happens when it can.
#pragma once

#include <cstdint>
#include <memory>

namespace ifacebench {

/// The concrete type: Go's `type affine struct{ mul, add int64 }` with its
/// `Step` method, visible to the compiler, which inlines it.
struct Affine {
  int64_t mul;
  int64_t add;
  /// One step from x (wrapping arithmetic, as Go's int64).
  int64_t step(int64_t x) const {
    return static_cast<int64_t>(static_cast<uint64_t>(x) * static_cast<uint64_t>(mul) + static_cast<uint64_t>(add));
  }
};

/// The interface: Go's `type Stepper interface{ Step(x int64) int64 }`.
class Stepper {
 public:
  virtual ~Stepper() = default;
  /// One step from x.
  virtual int64_t step(int64_t x) const = 0;
};

/// A Stepper doing a's step, of a class defined in another translation unit
/// (stepper_impl.cpp): the dynamic type is decided at run time, out of the
/// callers' sight.
std::unique_ptr<Stepper> make_stepper(Affine a);

/// Multiplier and increment of every run: Knuth's MMIX linear congruential
/// generator, so x visits a long cycle and never settles on a constant the
/// compiler or the branch predictor could exploit.
inline constexpr Affine kAffine{6364136223846793005, 1442695040888963407};

}  // namespace ifacebench
