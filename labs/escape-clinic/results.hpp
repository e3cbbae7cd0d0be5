// results.hpp — the measured numbers of one runtime (gort or the Go twin), in
// the JSON schema both programs write, and what they say about a prediction.
//
// Allocation counts are kept as exact ratios (total / iterations).  Go's
// testing reports allocs/op truncated to an integer (AllocsPerOp is
// MemAllocs / N in integers), and so does this lab: what a snippet allocates
// per operation is a whole number fixed by its code, and anything that does not
// happen on every operation only adds a fraction that truncation drops.  In
// gort that fraction is real and worth showing: the managed heap keeps its own
// page bookkeeping on the C++ heap (a std::map and a std::set node per free
// run of pages, arena records) and allocates it when spans are taken from or
// returned to the page heap and when the heap grows — Go's runtime keeps the
// same bookkeeping off-heap (a radix-tree bitmap, fixalloc) and never counts it.  The report prints it beside the
// whole count ("1 (+0.004)").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "snippets.hpp"

namespace escape {

/// Variant names in JSON: the translation, the refactor, and the harness's
/// empty loop (a check that the counting window itself allocates nothing).
inline constexpr const char* kVariantBefore = "before";
inline constexpr const char* kVariantAfter = "after";
inline constexpr const char* kHarnessSnippet = "harness";
inline constexpr const char* kVariantEmpty = "empty";

/// One benchmark of one runtime: a snippet's variant, over all repetitions.
struct Measurement {
  /// "A".."G", or kHarnessSnippet.
  std::string snippet;
  /// kVariantBefore, kVariantAfter or kVariantEmpty.
  std::string variant;
  /// Iterations summed over the repetitions.
  int64_t iterations = 0;
  /// ns/op of each repetition, in run order.
  std::vector<double> ns_per_op_runs;
  /// Median of ns_per_op_runs.
  double ns_per_op = 0;
  /// Managed-heap objects per operation (Go: heap objects, testing's allocs/op).
  double managed_allocs_per_op = 0;
  /// Managed-heap bytes per operation (Go: testing's B/op).
  double managed_bytes_per_op = 0;
  /// C++ heap allocations per operation (always 0 for Go).
  double cxx_allocs_per_op = 0;
  /// C++ heap bytes per operation.
  double cxx_bytes_per_op = 0;
};

/// Everything one runtime measured.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// The -benchtime the runs used ("1s", "1000x").
  std::string benchtime;
  /// Repetitions per benchmark.
  int count = 1;
  std::vector<Measurement> measurements;

  /// The measurement of (snippet, variant), or null.
  const Measurement* find(const std::string& snippet, const std::string& variant) const;
};

/// The JSON object both programs write.
nlohmann::json to_json(const RuntimeResults& r);

/// Parses the JSON object; nullopt with *error set when a field is missing or
/// of the wrong type.
std::optional<RuntimeResults> results_from_json(const std::string& text, std::string* error);

/// The median of values.  Precondition: not empty.
double median(std::vector<double> values);

/// Allocations per op as go test reports them: the ratio truncated.
int64_t whole_allocs(double per_op);

/// What truncation drops: allocations that did not happen on every operation.
double stray_allocs(double per_op);

/// Where a measurement says the value lives: "stack" when neither heap has a
/// whole allocation per op, else the heap(s) that have.
std::string measured_place(const Measurement& m);

/// Allocations per op in the place predicted (or in total for the stack).
int64_t measured_allocs_in(Place predicted, const Measurement& m);

/// True when the measurement agrees with the prediction: the same place, and
/// the same whole number of allocations per operation there (stray fractions
/// aside).
bool prediction_holds(const Prediction& p, const Measurement& m);

}  // namespace escape
