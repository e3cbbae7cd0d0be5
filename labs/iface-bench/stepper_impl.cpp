// stepper_impl.cpp — the one implementation of Stepper, kept in its own
// translation unit so that loops.cpp calls it only through the vtable.
#include "stepper.hpp"

namespace ifacebench {
namespace {

/// Affine behind the interface.
class AffineStepper final : public Stepper {
 public:
  explicit AffineStepper(Affine a) : a_(a) {}
  int64_t step(int64_t x) const override { return a_.step(x); }

 private:
  /// The concrete step it forwards to.
  Affine a_;
};

}  // namespace

std::unique_ptr<Stepper> make_stepper(Affine a) { return std::make_unique<AffineStepper>(a); }

}  // namespace ifacebench
