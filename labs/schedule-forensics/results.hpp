// results.hpp — a runtime's measurements of every variant, as JSON both ways.
//
// gort's runs and the Go twin's runs share one JSON shape, so the report
// treats both alike and the Go twin's output is read, not re-measured:
//   {"runtime": "gort"|"go", "goroutines": N, "work_ns": D, "steps_per_chunk": S,
//    "variants": [{"procs": P, "loop": "busy"|"gosched"|"sleep", "async_preempt": bool,
//                  "wall_ns": W, "cpu_ns": C, "spawn_ns": [...], "start_ns": [...], "end_ns": [...]}]}
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "experiment.hpp"

namespace schedlab {

/// Everything one runtime measured.
struct RuntimeRuns {
  /// "gort" or "go".
  std::string runtime;
  int goroutines = 0;
  int64_t work_ns = 0;
  /// The calibrated loop size (per chunk), for the record.
  uint64_t steps_per_chunk = 0;
  std::vector<VariantResult> variants;
};

/// The runs as JSON (the shape above).
nlohmann::json to_json(const RuntimeRuns& runs);

/// Reads runs from JSON text.  Returns nullopt with *error set when the text is
/// not that shape (truncated output, a different program).
std::optional<RuntimeRuns> runs_from_json(const std::string& text, std::string* error);

/// Each goroutine's time to completion (end - spawn), in spawn order.
std::vector<double> completion_ns(const VariantResult& r);

/// Each goroutine's wait for its first run (start - spawn), in spawn order.
std::vector<double> first_run_wait_ns(const VariantResult& r);

}  // namespace schedlab
