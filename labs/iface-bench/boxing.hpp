// boxing.hpp — the boxing example (course 7.3, step 4) in C++: an int handed
// to formatting through type erasure versus formatted directly, with what
// each costs in allocations.
//
// Go boxes an int passed to fmt.Println(x) into an `any`, whose data word
// must point to the value, so the value moves to the heap (convT64) — one
// allocation per call.  C++'s type erasures mostly do not allocate for an
// int: fmt's format_args stores the int itself in a tagged union on the
// stack, and std::any keeps any nothrow-movable value of pointer size inside
// the std::any object (libstdc++'s small-buffer storage).  What does allocate
// is a std::any of something bigger than a pointer, and a std::function whose
// capture exceeds its 16 bytes of local storage.  The gc-box variant is Go's
// convT64 in gort: the int copied into the managed heap.
#pragma once

#include <cstdint>
#include <string>

namespace ifacebench {

/// One way of formatting an int.
struct BoxingVariant {
  /// Name in the report ("direct", "format-args", ...).
  const char* name;
  /// The C++ expression, for the report.
  const char* code;
  /// What the variant shows.
  const char* what;
  /// C++ heap allocations per op expected from the library's design.
  int expected_cxx_allocs;
  /// Managed allocations per op expected.
  int expected_managed_allocs;
};

/// The variants in report order.
const BoxingVariant* boxing_variants(int* count);

/// Formats the n values 1000, 1001, ... one way, dropping the text as
/// io.Discard would; returns the last value formatted.  Precondition: name is
/// one of boxing_variants(); on a goroutine (gc-box allocates managed memory).
int64_t run_boxing(const std::string& name, int64_t n);

/// Bytes formatted and dropped so far (keeps the formatting observable).
uint64_t discarded_bytes();

}  // namespace ifacebench
