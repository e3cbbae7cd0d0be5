// snippet_e_make_slice.cpp — course snippet E: a slice made for a call that
// does not keep it.
//
//   func E(s []int) int { return len(s) }     called as E(make([]int, 8))
//
// Here Go allocates nothing: E's parameter is tagged "s does not escape", and
// a make with a constant size whose result does not escape is placed in the
// caller's frame ("make([]int, 8) does not escape").  gort has Go's make
// (gc::make_slice) but not Go's compiler: every gc::make_slice allocates,
// whatever happens to the slice.  So this is the snippet where the literal
// translation allocates and Go does not — the escape analysis that Go runs
// for you is, in C++, yours to do.  The refactor is that analysis done by
// hand: the eight ints in a std::array in the caller's frame, passed as a
// std::span (Go's slice of an array, a[:]).  Go's int is 64 bits: int64_t.
#include <gort/gort.hpp>

#include <array>
#include <cstdint>
#include <span>

#include "measure.hpp"
#include "snippets.hpp"

namespace escape {
namespace {

/// Elements in the snippet's slice.
constexpr std::size_t kElements = 8;

/// E over gort's slice type.
[[gnu::noinline]] std::size_t length_of_slice(const gort::gc::Slice<int64_t>& s) { return s.len(); }

/// E over a view of memory the caller owns.
[[gnu::noinline]] std::size_t length_of_span(std::span<const int64_t> s) { return s.size(); }

/// Benchmark of the translation: a new managed slice per call.
void bench_before(benchmark::State& state) {
  measure_loop(state, [] {
    std::size_t n = length_of_slice(gort::gc::make_slice<int64_t>(kElements));
    benchmark::DoNotOptimize(n);
  });
}

/// Benchmark of the refactor: an array in the loop's frame per call.
void bench_after(benchmark::State& state) {
  measure_loop(state, [] {
    std::array<int64_t, kElements> a{};
    benchmark::DoNotOptimize(a);
    std::size_t n = length_of_span(a);
    benchmark::DoNotOptimize(n);
  });
}

}  // namespace

Snippet snippet_e() {
  Snippet s;
  s.id = "E";
  s.title = "make([]int, 8) passed to a function that keeps nothing";
  s.go_code = "func E(s []int) int { return len(s) }  // called as E(make([]int, 8))";
  s.translation_note =
      "make([]int, 8) is gc::make_slice<int64_t>(8). Go proves the slice does not escape and puts it in "
      "the caller's frame; gort has no escape analysis, so make_slice always allocates.";
  s.refactor_note = "Do Go's analysis by hand: a std::array<int64_t, 8> in the frame, passed as std::span (a[:]).";
  s.go_refactor = "var a [8]int; E(a[:])";
  s.before = {"e(gc::make_slice<int64_t>(8));  // size_t e(const gc::Slice<int64_t>& s) { return s.len(); }",
              {Place::ManagedHeap, 1}, &bench_before};
  s.after = {"std::array<int64_t, 8> a{}; e(std::span<const int64_t>(a));", {Place::Stack, 0}, &bench_after};
  return s;
}

}  // namespace escape
