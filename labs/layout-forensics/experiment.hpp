// experiment.hpp — the lab's three parts on gort: the layouts as compiled,
// the arrays (one child process each: heap_arrays.hpp) and false sharing
// (false_sharing.hpp, in this process).
#pragma once

#include <string>
#include <vector>

#include "false_sharing.hpp"
#include "results.hpp"

namespace layoutlab {

/// What to run.
struct ExperimentConfig {
  /// The structs, in report order ("Sandwich", ...).
  std::vector<std::string> structs;
  /// Run the array part / the false-sharing part (the layouts always run).
  bool arrays = true;
  bool sharing = true;
  /// Elements of each array.
  std::uint64_t elements = 0;
  /// Forced cycles measured per array.
  int gc_rounds = 0;
  SharingConfig sharing_config;
};

/// The compiler's layouts of the named struct pairs.  Precondition: every
/// name is one of structs.hpp's.
std::vector<LayoutPair> measure_layouts(const std::vector<std::string>& structs);

/// Runs the array children on gort: the empty baseline, then each struct bad
/// and packed, with progress on stderr.  Throws std::runtime_error naming the
/// child that failed.
std::vector<ArrayRun> run_arrays_on_gort(const ExperimentConfig& config);

}  // namespace layoutlab
