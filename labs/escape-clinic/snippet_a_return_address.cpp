// snippet_a_return_address.cpp — course snippet A: returning the address of a
// local.
//
//   func A() *int { x := 7; return &x }
//
// Go's escape analysis sees &x outlive A's frame and moves x to the heap
// ("moved to heap: x"): one 8-byte object per call.  C++ has no escape
// analysis: `int* a() { int x = 7; return &x; }` compiles and returns a
// dangling pointer.  The C++/gort code with Go's meaning allocates x where the
// collector keeps it alive while a pointer exists: gc::make<int>.  The refactor
// is the one Go programmers make too: return the value, not its address; the
// int travels back in a register.
//
// Functions are [[gnu::noinline]], as the Go twin's are //go:noinline, so both
// benchmarks measure a real call rather than code folded into the loop.
#include <gort/gort.hpp>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// The translation: x lives in the managed heap, the caller gets a reference.
[[gnu::noinline]] gort::gc::Ref<int> return_address_of_local() {
  gort::gc::Ref<int> x = gort::gc::make<int>(7);
  return x;
}

/// The refactor: the value itself is returned.
[[gnu::noinline]] int return_value_of_local() {
  int x = 7;
  benchmark::DoNotOptimize(x);  // x is a variable, as in Go, not a folded constant
  return x;
}

/// Benchmark of the translation: one call, the Ref read back.
void bench_before(benchmark::State& state) {
  measure_loop(state, [] {
    gort::gc::Ref<int> p = return_address_of_local();
    benchmark::DoNotOptimize(*p);
  });
}

/// Benchmark of the refactor: one call, the value read back.
void bench_after(benchmark::State& state) {
  measure_loop(state, [] {
    int v = return_value_of_local();
    benchmark::DoNotOptimize(v);
  });
}

}  // namespace

Snippet snippet_a() {
  Snippet s;
  s.id = "A";
  s.title = "return the address of a local";
  s.go_code = "func A() *int { x := 7; return &x }";
  s.translation_note =
      "C++ would return a dangling pointer; the pointer Go returns keeps x alive, which in gort "
      "means x is a managed object (gc::make) that the collector frees once no Ref points to it.";
  s.refactor_note = "Return the int by value: it comes back in a register, nothing outlives the frame.";
  s.go_refactor = "func A() int { x := 7; return x }";
  s.before = {"gc::Ref<int> a() { auto x = gc::make<int>(7); return x; }", {Place::ManagedHeap, 1}, &bench_before};
  s.after = {"int a() { int x = 7; return x; }", {Place::Stack, 0}, &bench_after};
  return s;
}

}  // namespace escape
