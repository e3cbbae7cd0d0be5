// snippet_g_interface_call.cpp — course snippet G: a method call through an
// interface versus on the concrete type.
//
//   type Adder interface{ Add(p *int) }
//   func G(a Adder)  { x := 7; a.Add(&x) }   // moved to heap: x
//   func G(a *adder) { x := 7; a.Add(&x) }   // x stays in G's frame
//
// Through an interface the compiler cannot see which Add runs, so it must
// assume the pointer is kept: "leaking param" for every interface method
// argument, and x moves to the heap.  With the concrete type it reads Add's
// body, sees p is only dereferenced, and keeps x on the stack.
//
// C++ would compile `a.add(&x)` through a virtual call without allocating — and
// it would be undefined behaviour if some implementation kept the pointer.
// The gort translation makes the interface's contract what Go's compiler has
// to assume: the method may keep its argument, so it takes a gc::Ref<int> and
// the caller allocates x with gc::make.  The refactor calls the concrete
// (final) type, whose add visibly keeps nothing, so it can take a plain
// pointer to the caller's int.
#include <gort/gort.hpp>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// The interface: an implementation may keep the int it is given.
class Adder {
 public:
  virtual ~Adder() = default;
  /// Adds *p to the sum; may keep p (so p must be a managed reference).
  virtual void add(gort::gc::Ref<int> p) = 0;
};

/// An implementation of the interface (one that happens to keep nothing).
class SumThroughInterface final : public Adder {
 public:
  void add(gort::gc::Ref<int> p) override { sum_ += *p; }

 private:
  /// Running sum.
  long sum_ = 0;
};

/// The concrete type: add reads *p and keeps nothing.
class ConcreteSum final {
 public:
  /// Adds *p to the sum.  Precondition: p points to a live int; not kept.
  void add(const int* p) { sum_ += *p; }

 private:
  /// Running sum.
  long sum_ = 0;
};

/// The translation: x must outlive whatever the unknown add does with it.
[[gnu::noinline]] void call_through_interface(Adder& a) {
  gort::gc::Ref<int> x = gort::gc::make<int>(7);
  a.add(x);
}

/// The refactor: the concrete method keeps nothing, so x stays in this frame.
[[gnu::noinline]] void call_on_concrete_type(ConcreteSum& a) {
  int x = 7;
  benchmark::DoNotOptimize(x);
  a.add(&x);
}

/// Benchmark of the translation: one call through the interface per iteration.
void bench_before(benchmark::State& state) {
  SumThroughInterface sum;
  Adder& adder = sum;
  measure_loop(state, [&adder] { call_through_interface(adder); });
  benchmark::DoNotOptimize(sum);
}

/// Benchmark of the refactor: one call on the concrete type per iteration.
void bench_after(benchmark::State& state) {
  ConcreteSum sum;
  measure_loop(state, [&sum] { call_on_concrete_type(sum); });
  benchmark::DoNotOptimize(sum);
}

}  // namespace

Snippet snippet_g() {
  Snippet s;
  s.id = "G";
  s.title = "method call via interface vs concrete type";
  s.go_code = "func G(a Adder) { x := 7; a.Add(&x) }  // vs func G(a *adder) { ... }";
  s.translation_note =
      "Through an interface Go must assume Add keeps p. In gort that contract is a virtual "
      "add(gc::Ref<int>): the caller gc::makes x (a raw &x would dangle if kept).";
  s.refactor_note = "Call the concrete final type: its add(const int*) visibly keeps nothing, so x stays in the frame.";
  s.go_refactor = "func G(a *adder) { x := 7; a.Add(&x) }";
  s.before = {"void g(Adder& a) { auto x = gc::make<int>(7); a.add(x); }  // virtual add(gc::Ref<int>)",
              {Place::ManagedHeap, 1}, &bench_before};
  s.after = {"void g(ConcreteSum& a) { int x = 7; a.add(&x); }  // add(const int*), final", {Place::Stack, 0},
             &bench_after};
  return s;
}

}  // namespace escape
