// snippet_b_pointer_variable.cpp — course snippet B: the address goes through
// a pointer variable first.
//
//   func B() *int { x := 7; p := &x; return p }
//
// The lesson is that escape analysis follows data flow, not syntax: p is a
// copy of &x, returning p returns &x, and x moves to the heap exactly as in A
// ("moved to heap: x").  The gort translation is A's (gc::make) with the
// intermediate Ref.  The refactor differs from A's to show the other common
// fix: the caller owns the storage and passes its address in; the callee only
// writes through it (in Go: "p does not escape"), so the int stays in the
// caller's frame.
#include <gort/gort.hpp>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// The translation: x in the managed heap, returned through p.
[[gnu::noinline]] gort::gc::Ref<int> return_pointer_variable() {
  gort::gc::Ref<int> x = gort::gc::make<int>(7);
  gort::gc::Ref<int> p = x;
  return p;
}

/// The refactor: the caller's int is filled in through the pointer it passed.
/// Precondition: out points to a live int; the function keeps no copy of out.
[[gnu::noinline]] void fill_callers_int(int* out) {
  int x = 7;
  benchmark::DoNotOptimize(x);
  *out = x;
}

/// Benchmark of the translation: one call, the Ref read back.
void bench_before(benchmark::State& state) {
  measure_loop(state, [] {
    gort::gc::Ref<int> p = return_pointer_variable();
    benchmark::DoNotOptimize(*p);
  });
}

/// Benchmark of the refactor: the caller's int filled in and read back.
void bench_after(benchmark::State& state) {
  measure_loop(state, [] {
    int x;
    fill_callers_int(&x);
    benchmark::DoNotOptimize(x);
  });
}

}  // namespace

Snippet snippet_b() {
  Snippet s;
  s.id = "B";
  s.title = "return the address through a pointer variable";
  s.go_code = "func B() *int { x := 7; p := &x; return p }";
  s.translation_note =
      "The same data flow as A (p is &x), so the same translation: x is a managed object, "
      "p a second Ref to it.";
  s.refactor_note =
      "The caller owns the int and passes its address; the callee writes through it and keeps "
      "nothing, so the int never leaves the caller's frame.";
  s.go_refactor = "func B(p *int) { x := 7; *p = x }  // caller: var x int; B(&x)";
  s.before = {"gc::Ref<int> b() { auto x = gc::make<int>(7); auto p = x; return p; }", {Place::ManagedHeap, 1},
              &bench_before};
  s.after = {"void b(int* p) { int x = 7; *p = x; }  // caller: int x; b(&x);", {Place::Stack, 0}, &bench_after};
  return s;
}

}  // namespace escape
