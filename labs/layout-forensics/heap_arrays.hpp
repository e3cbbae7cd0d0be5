// heap_arrays.hpp — exercise step 3 on gort: one 1M-element array of one
// struct on the managed heap, in a child process of its own under
// GODEBUG=gctrace=1 (this program's hidden --child-array mode).
//
// The child forces a cycle to start from a settled heap, reads
// MemStats.HeapAlloc, times gc::make_slice<T>(n) (Go's make([]T, n)) and a
// pass writing every element, reads HeapAlloc again, then forces `rounds`
// cycles with the array live and reports each cycle's pause from
// MemStats.PauseNs; the parent takes the same cycles' mark times from their
// gctrace lines (results.hpp, read_array_run).  One process per array keeps
// every array's cycles apart from the others' heaps.  The "none" run does the
// same without an array: the cycles' fixed cost.
//
// What gort's collector does with the array differs by element type, as Go's
// does: an array of a pointer-free struct is one noscan object the mark never
// reads; an array of Node is scanned, element by element through Node::trace
// (gort) or word by word through the heap bitmap up to each element's last
// pointer (Go).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace layoutlab {

/// What one array child does.
struct ArrayParams {
  /// The struct ("Sandwich", ...) or "none".
  std::string name;
  /// "bad", "packed" or "none".
  std::string layout;
  std::uint64_t elements = 0;
  /// Forced cycles measured with the array live.
  int rounds = 0;
};

/// The child's arguments for this program (--child-array and its parameters).
std::vector<std::string> array_child_args(const ArrayParams& p);

/// Runs the child's work in gort::run and prints its ArrayChild JSON on
/// stdout; returns the exit status (2 for an unknown struct or layout).
int run_array_child(const ArrayParams& p);

}  // namespace layoutlab
