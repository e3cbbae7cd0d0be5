// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints the
// same fields as JSON with -json, which from_json reads back, so the report and
// the --json file treat both runtimes alike.  to_json also writes the derived
// medians (ns_per_msg_median, msgs_per_sec_median) for scripts and tests;
// from_json recomputes them rather than trusting them.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace spsclab {

/// Every run of one variant on one runtime.
struct VariantResult {
  /// The variant's name ("ring", "withoutPad", "chan", "mutex").
  std::string name;
  /// Wall time of each timed run, in run order.
  std::vector<std::int64_t> run_ns;
  /// Per run: times the producer found the queue full / the consumer found it empty.
  std::vector<std::uint64_t> producer_waits;
  std::vector<std::uint64_t> consumer_waits;
  /// Every run delivered every value once and in order.
  bool in_order = true;
  /// Ring variants: bytes from head to tail, and whether they share a 64-byte line.
  std::optional<std::int64_t> head_to_tail_bytes;
  std::optional<bool> same_cache_line;
};

/// Everything measured on one runtime.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  /// Ps the runs used (GOMAXPROCS).
  int gomaxprocs = 0;
  /// Values per run.
  std::uint64_t messages = 0;
  /// Slots of every queue.
  std::uint64_t capacity = 0;
  /// Timed runs per variant.
  int runs = 0;
  /// "backoff", "spin" or "gosched".
  std::string wait;
  std::vector<VariantResult> variants;
  /// Round trips of one cache line between the two sides per calibration run
  /// (line_round_trip.hpp), and each run's wall time.
  std::uint64_t line_round_trips = 0;
  std::vector<std::int64_t> line_round_trip_run_ns;
};

/// The median calibration run's nanoseconds per round trip (0 without runs).
double median_line_round_trip_ns(const RuntimeResults& r);

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  /// The command as typed, for the report.
  std::string command;
  /// lab::machine_description() of the machine that ran it.
  std::string machine;
  /// /proc/loadavg's first three fields before the runs ("0.05 0.10 0.08"):
  /// on two vCPUs, other load decides whether each side gets a core.
  std::string load_before;
  RuntimeResults gort;
  /// The Go twin's results (--go), or empty.
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
};

/// Median wall time of a run divided by the messages: ns per message.
double median_ns_per_msg(const VariantResult& v, std::uint64_t messages);

/// Messages per second at the median run.
double median_msgs_per_sec(const VariantResult& v, std::uint64_t messages);

/// The variant called `name`, or null.
const VariantResult* find_variant(const RuntimeResults& r, const std::string& name);

// JSON conversions (nlohmann's ADL hooks), one field per member under the
// member's snake_case name; optional members are null when absent.
void to_json(nlohmann::json& j, const VariantResult& v);
void from_json(const nlohmann::json& j, VariantResult& v);
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const LabRun& v);

}  // namespace spsclab
