// results.hpp — what the lab measures, in one shape for gort and for Go, and
// what it reads from the disassemblers and Go's compiler.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints
// the same fields as JSON with -json, which from_json reads back, so the
// report and the --json file treat both runtimes alike.  Allocation counts
// are totals over all timed runs, as read before and after each run:
// managed = gort's heap (read_mem_stats) or Go's (runtime.MemStats.Mallocs),
// cxx = C++'s operator new (lab/alloc_counter.hpp; always 0 in Go).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "disasm.hpp"

namespace ifacebench {

/// Every timed run of one variant.
struct Measurement {
  /// "three-way", "logger" or "boxing".
  std::string group;
  /// The variant's name within its group ("interface", "fmt-any", ...).
  std::string name;
  /// Operations per run (calls, requests, values formatted).
  uint64_t ops = 0;
  /// Wall time of each timed run, in run order.
  std::vector<int64_t> run_ns;
  /// Allocations and bytes over all timed runs, per heap.
  uint64_t cxx_allocs = 0, cxx_bytes = 0, managed_allocs = 0, managed_bytes = 0;
  /// The last run's result (equal across a group's variants when they agree).
  int64_t result = 0;
  /// Logger group: debug lines the logger recorded during the timed runs.
  int64_t logged_lines = 0;
};

/// Median ns per operation (nearest rank; 0 without runs).
double ns_per_op(const Measurement& m);
/// The fastest run's ns per operation (0 without runs): on a shared machine
/// the run least disturbed by other load.
double min_ns_per_op(const Measurement& m);
/// Allocations per operation on each heap and in all.
double cxx_allocs_per_op(const Measurement& m);
double managed_allocs_per_op(const Measurement& m);
double allocs_per_op(const Measurement& m);
/// Bytes allocated per operation, both heaps.
double bytes_per_op(const Measurement& m);

/// Everything measured on one runtime.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  int gomaxprocs = 0;
  /// Timed runs per variant.
  int runs = 0;
  /// The logger's level: "info" (debug off) or "debug".
  std::string log_level;
  std::vector<Measurement> measurements;
};

/// The measurement of `group`/`name`, or null.
const Measurement* find_measurement(const RuntimeResults& r, const std::string& group, const std::string& name);

/// Everything one invocation produced: the --json file's shape.
struct LabRun {
  std::string command;
  std::string machine;
  /// /proc/loadavg's first three fields before the runs.
  std::string load_before;
  RuntimeResults gort;
  /// objdump of this program's loops and handlers.
  Disassembly gort_disassembly;
  /// The twin's results, disassembly and escape analysis (--go), or empty.
  std::optional<RuntimeResults> go;
  std::optional<Disassembly> go_disassembly;
  /// Lines of `go build -gcflags=-m` about boxing, escapes and devirtualising.
  std::vector<std::string> go_escape_lines;
  /// Why a part of the Go side is missing although --go was given.
  std::string go_error;
};

// JSON conversions (nlohmann's ADL hooks), one field per member under the
// member's name; derived per-op figures are written, never read back.
void to_json(nlohmann::json& j, const Measurement& m);
void from_json(const nlohmann::json& j, Measurement& m);
void to_json(nlohmann::json& j, const RuntimeResults& r);
void from_json(const nlohmann::json& j, RuntimeResults& r);
void to_json(nlohmann::json& j, const LabRun& r);

}  // namespace ifacebench
