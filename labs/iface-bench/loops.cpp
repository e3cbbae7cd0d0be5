// loops.cpp — the three-way call's loops (see loops.hpp).  This translation
// unit knows Stepper only as an interface: no class derived from it is
// visible here, so the virtual loops cannot be devirtualised, not even
// speculatively.
#include "loops.hpp"

#include <stdexcept>
#include <string>

extern "C" [[gnu::noinline]] int64_t iface_bench_concrete(const ifacebench::Affine* a, int64_t x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x = a->step(x);
  return x;
}

extern "C" [[gnu::noinline]] int64_t iface_bench_virtual(const ifacebench::Stepper* s, int64_t x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x = s->step(x);
  return x;
}

extern "C" [[gnu::noinline]] int64_t iface_bench_function(const std::function<int64_t(int64_t)>* f, int64_t x,
                                                          int64_t n) {
  for (int64_t i = 0; i < n; ++i) x = (*f)(x);
  return x;
}

extern "C" [[gnu::noinline]] int64_t iface_bench_template(const ifacebench::Affine* a, int64_t x, int64_t n) {
  return ifacebench::step_loop(*a, x, n);
}

extern "C" [[gnu::noinline]] int64_t iface_bench_template_iface(const ifacebench::Stepper* s, int64_t x, int64_t n) {
  return ifacebench::step_loop(*s, x, n);
}

namespace ifacebench {

namespace {

/// The paths, in report order; Go's twin uses the same names.
constexpr StepPath kPaths[] = {
    {"concrete", "iface_bench_concrete", "Affine::step on the concrete type"},
    {"interface", "iface_bench_virtual", "a virtual call through Stepper&"},
    {"function", "iface_bench_function", "std::function<int64_t(int64_t)> (type erasure)"},
    {"generic", "iface_bench_template", "template step_loop<Affine>"},
    {"generic-iface", "iface_bench_template_iface", "template step_loop<Stepper> (the interface as type argument)"},
    {"devirtualised", "iface_bench_devirtualised", "a virtual call on an object whose type the compiler sees"},
};

}  // namespace

const StepPath* step_paths(int* count) {
  *count = static_cast<int>(std::size(kPaths));
  return kPaths;
}

StepObjects make_step_objects() {
  StepObjects o;
  o.stepper = make_stepper(kAffine);
  // Captures the 16-byte Affine by value: it fits std::function's local
  // storage, so building it does not allocate either.
  o.function = [a = kAffine](int64_t v) { return a.step(v); };
  return o;
}

int64_t run_step_path(const std::string& name, const StepObjects& objects, int64_t x, int64_t n) {
  if (name == "concrete") return iface_bench_concrete(&kAffine, x, n);
  if (name == "interface") return iface_bench_virtual(objects.stepper.get(), x, n);
  if (name == "function") return iface_bench_function(&objects.function, x, n);
  if (name == "generic") return iface_bench_template(&kAffine, x, n);
  if (name == "generic-iface") return iface_bench_template_iface(objects.stepper.get(), x, n);
  if (name == "devirtualised") return iface_bench_devirtualised(kAffine.mul, kAffine.add, x, n);
  throw std::invalid_argument("unknown path " + name);
}

}  // namespace ifacebench
