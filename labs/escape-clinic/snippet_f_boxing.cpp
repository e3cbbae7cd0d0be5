// snippet_f_boxing.cpp — course snippet F: boxing an int into interface{}.
//
//   func F() any { return 7 }
//
// An interface value is two words (runtime.eface): a type pointer and a
// pointer to the value.  A value that is not itself a pointer is copied into
// a heap object first (convT64), so boxing allocates.  Go 1.19 has two
// exceptions that the course's literal 7 hits both of: a constant is boxed as a
// pointer to read-only data, and any value below 256 points into
// runtime.staticuint64s — so `return 7` allocates nothing, although -m says
// "7 escapes to heap".  Both twins therefore box a value the compiler cannot
// know, the loop counter plus 256, which is what boxing costs in real code.
//
// The translation is Go's eface in gort: a type word (std::type_info) and a
// pointer to a gc::make'd copy.  The refactor keeps the type erasure but
// not the allocation: std::any stores a value that fits in a pointer and moves
// without throwing inside the holder itself (libstdc++'s _Manager_internal),
// so the boxed int lives wherever the std::any does — here, in the caller's
// frame.  (Go cannot express that: an interface's data word is always a pointer.)
#include <gort/gort.hpp>

#include <any>
#include <cstdint>
#include <typeinfo>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// The first value boxed: 256 is one past runtime.staticuint64s, so the Go
/// twin's boxing of the same values allocates as boxing does in general.
constexpr int64_t kFirstBoxedValue = 256;

/// Go's empty interface as the runtime lays it out: a type word and a pointer
/// to the boxed copy (runtime.eface).
struct Eface {
  /// The dynamic type (eface._type).
  const std::type_info* type;
  /// The boxed value, a managed object (eface.data).
  const void* data;
};

/// The translation: box v into the managed heap, as convT64 does.
[[gnu::noinline]] Eface box_in_managed_heap(int64_t v) {
  return Eface{&typeid(int64_t), gort::gc::make<int64_t>(v).get()};
}

/// The refactor: box v into a std::any, which holds it in place.
[[gnu::noinline]] std::any box_in_place(int64_t v) { return std::any(v); }

/// Benchmark of the translation: box the next value, read it back.
void bench_before(benchmark::State& state) {
  int64_t next = kFirstBoxedValue;
  measure_loop(state, [&next] {
    Eface e = box_in_managed_heap(next++);
    benchmark::DoNotOptimize(*static_cast<const int64_t*>(e.data));
  });
}

/// Benchmark of the refactor: the same values through std::any.
void bench_after(benchmark::State& state) {
  int64_t next = kFirstBoxedValue;
  measure_loop(state, [&next] {
    std::any a = box_in_place(next++);
    benchmark::DoNotOptimize(*std::any_cast<int64_t>(&a));
  });
}

}  // namespace

Snippet snippet_f() {
  Snippet s;
  s.id = "F";
  s.title = "boxing an int into any";
  s.go_code = "func F() any { return 7 }";
  s.translation_note =
      "Go's eface in gort: a type word and a pointer to a gc::make'd copy (convT64). Both twins box "
      "counter+256: Go boxes a constant 7 (and any value < 256) without allocating.";
  s.refactor_note =
      "std::any keeps the erasure but stores an int inside the holder (small-object storage), so "
      "the value lives in the caller's frame.";
  s.go_refactor = "func F(v int) int { return v }  // no interface: Go's any always points to its value";
  s.before = {"Eface f(int64_t v) { return {&typeid(int64_t), gc::make<int64_t>(v).get()}; }",
              {Place::ManagedHeap, 1}, &bench_before};
  s.after = {"std::any f(int64_t v) { return std::any(v); }", {Place::Stack, 0}, &bench_after};
  return s;
}

}  // namespace escape
