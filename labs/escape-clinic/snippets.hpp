// snippets.hpp — the course's seven escape snippets (Lab 4.3, A–G) as C++/gort
// code: for each, the Go original, the translation that keeps Go's semantics
// (what Go's escape analysis moves to its heap goes where a gort program would
// put it: the managed heap via gc::make, or the C++ heap via std::function),
// the refactor that keeps it on the stack, and predictions written before any
// measurement.  Each snippet lives in its own file (snippet_<id>_<what>.cpp);
// the Go twin (go/<id>.go) holds the same snippet in Go.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace escape {

/// Where a value ends up (the three answers a prediction can give).
enum class Place {
  Stack,        // no allocation: a frame, a register, or inside another object on a stack
  ManagedHeap,  // gort's collected heap (gc::make, gc::make_slice, gc::String)
  CxxHeap,      // operator new (std::function's storage, std::vector, ...)
};

/// The place's name in reports and JSON ("stack", "managed heap", "C++ heap").
const char* place_name(Place p);

/// A prediction, written down in the snippet's file before the lab was ever run.
struct Prediction {
  /// Where the value lives.
  Place place = Place::Stack;
  /// Allocations per operation expected there (0 for the stack).
  int allocs_per_op = 0;
};

/// One side of a snippet: the code as first translated, or the refactor.
struct Variant {
  /// The C++/gort code, one line, as the report quotes it.
  std::string code;
  /// The prediction for this code.
  Prediction prediction;
  /// The benchmark: one operation per iteration, inside measure_loop.
  void (*benchmark)(benchmark::State&) = nullptr;
};

/// One of the course's snippets.
struct Snippet {
  /// The course's letter, "A" to "G".
  std::string id;
  /// What it shows, a few words ("return the address of a local").
  std::string title;
  /// The course's Go code.
  std::string go_code;
  /// Why the "before" code is the faithful C++/gort equivalent of the Go code.
  std::string translation_note;
  /// Why the refactor keeps the value on the stack.
  std::string refactor_note;
  /// The refactor the Go twin measures, one line of Go.
  std::string go_refactor;
  /// The translation of the course's code.
  Variant before;
  /// The refactor.
  Variant after;
};

/// The seven snippets, A to G, in the course's order.
const std::vector<Snippet>& all_snippets();

/// Each snippet's description (defined in its own file).
Snippet snippet_a();
Snippet snippet_b();
Snippet snippet_c();
Snippet snippet_d();
Snippet snippet_e();
Snippet snippet_f();
Snippet snippet_g();

}  // namespace escape
