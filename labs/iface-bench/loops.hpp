// loops.hpp — the benchmark loops of the three-way call, one function each.
//
// Every loop is an extern "C", never-inlined function, so it keeps a plain
// symbol of its own that objdump --disassemble=<symbol> prints whole (the
// course's `go tool objdump -s 'main\.benchInterface'`), and the compiler
// cannot specialise it for the caller's arguments.  Each runs n calls of step
// starting from x and returns the last x.  Go's twin has one function per
// path with the same body (go/paths.go).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "stepper.hpp"

/// The concrete type: step is inlined.  Precondition: a is not null.
extern "C" int64_t iface_bench_concrete(const ifacebench::Affine* a, int64_t x, int64_t n);
/// Through the interface: a virtual call per step.  Precondition: s is not null.
extern "C" int64_t iface_bench_virtual(const ifacebench::Stepper* s, int64_t x, int64_t n);
/// Through a std::function (type erasure): a call through its invoker pointer.
/// Precondition: f is not null and not empty.
extern "C" int64_t iface_bench_function(const std::function<int64_t(int64_t)>* f, int64_t x, int64_t n);
/// The template instantiated with the concrete type (Go's generic
/// instantiated with *affine): monomorphised, step inlined.
extern "C" int64_t iface_bench_template(const ifacebench::Affine* a, int64_t x, int64_t n);
/// The template instantiated with the interface type (Go's generic
/// instantiated with Stepper): still a virtual call.
extern "C" int64_t iface_bench_template_iface(const ifacebench::Stepper* s, int64_t x, int64_t n);
/// A Stepper built in the loop's own function (devirtualised.cpp), so the
/// compiler sees its dynamic type.
extern "C" int64_t iface_bench_devirtualised(int64_t mul, int64_t add, int64_t x, int64_t n);

namespace ifacebench {

/// The generic loop: one instantiation per type argument, always inlined so
/// the extern "C" wrapper's symbol holds the loop itself (at every -O level).
template <class S>
[[gnu::always_inline]] inline int64_t step_loop(const S& s, int64_t x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x = s.step(x);
  return x;
}

/// One path of the three-way benchmark, by its name in the report.
struct StepPath {
  /// "concrete", "interface", "function", "generic", "generic-iface", "devirtualised".
  const char* name;
  /// The loop's symbol, for objdump.
  const char* symbol;
  /// What the path is, for the report.
  const char* what;
};

/// The paths in report order.
const StepPath* step_paths(int* count);

/// The erased objects the paths call through, built once before the timed
/// runs so that their construction is not counted as the loops' allocations.
struct StepObjects {
  /// kAffine behind the interface (make_stepper).
  std::unique_ptr<Stepper> stepper;
  /// kAffine captured by value in a std::function.
  std::function<int64_t(int64_t)> function;
};

/// Builds the objects for kAffine.
StepObjects make_step_objects();

/// Runs path `name`'s loop over n steps from x with kAffine.  Precondition:
/// name is one of step_paths(); objects from make_step_objects().
int64_t run_step_path(const std::string& name, const StepObjects& objects, int64_t x, int64_t n);

}  // namespace ifacebench
