// results.hpp — what the lab measures, in one shape for gort and for Go.
//
// The C++ lab fills RuntimeResults on gort; the Go twin (go/main.go) prints the
// same fields as JSON with -json, which from_json reads back, so the report and
// the --json file treat both runtimes alike.  to_json also writes the derived
// medians (ns_per_msg_median, msgs_per_sec_median) for scripts and tests;
// from_json recomputes them rather than trusting them.  A part the run left
// out (--parts) is null.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace chanbench {

/// Every timed run of one throughput variant on one runtime.
struct ThroughputResult {
  /// "unbuffered", "buffered1", "buffered1024", "mutex" or "ring".
  std::string name;
  /// Slots of the queue (0: the unbuffered channel).
  std::uint64_t capacity = 0;
  /// Wall time of each timed run, in run order.
  std::vector<std::int64_t> run_ns;
  /// Per run: times the producer found the queue full / the consumer found it
  /// empty (mutex and ring; channels park instead and count 0).
  std::vector<std::uint64_t> producer_waits;
  std::vector<std::uint64_t> consumer_waits;
  /// Every run delivered every value once and in order.
  bool in_order = true;
};

/// Part 1: one producer, one consumer, each variant several times.
struct ThroughputResults {
  /// Values per run.
  std::uint64_t messages = 0;
  /// Timed runs per variant.
  int runs = 0;
  /// How a blocked mutex or ring side waits ("backoff", "spin", "gosched").
  std::string wait;
  std::vector<ThroughputResult> variants;
};

/// One way of selecting over the two upstreams (part 2).
struct ToggleMode {
  /// "toggle" (the course's pattern: the case just served is disabled by
  /// setting its channel to nil), "both" (both cases always enabled, closed
  /// ones set to nil) or "closedNotNil" (closed channels left in the select).
  std::string mode;
  /// Values received from upstream A and from upstream B.
  std::uint64_t from_a = 0;
  std::uint64_t from_b = 0;
  /// Select statements run.
  std::uint64_t selects = 0;
  /// Receives from the same upstream as the one before, while both were open.
  std::uint64_t repeats = 0;
  /// Receives that found an upstream closed (ok == false).
  std::uint64_t closed_receives = 0;
  /// Each upstream's values arrived once and in order.
  bool in_order = false;
  /// Wall time of the selecting loop.
  std::int64_t ns = 0;
};

/// Part 2: the nil-channel select toggle.
struct ToggleResults {
  /// Values upstream A and upstream B send before closing.
  std::uint64_t a_messages = 0;
  std::uint64_t b_messages = 0;
  std::vector<ToggleMode> modes;
  /// select(<-nilChan, default) run this many times ...
  std::uint64_t nil_default_selects = 0;
  /// ... and how many of them ran the default (all, if nil disables its case).
  std::uint64_t nil_default_defaults = 0;
};

/// One sample of the unbounded bridge's memory (part 3).
struct BridgeSample {
  /// Time since the bridge started.
  std::int64_t t_ns = 0;
  /// Messages the producer had handed to the bridge / the consumer had taken.
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  /// Messages held in the bridge's buffer.
  std::uint64_t backlog = 0;
  /// Resident set size of the process (/proc/self/statm).
  std::uint64_t rss_bytes = 0;
  /// The runtime's HeapAlloc (gort::read_mem_stats / runtime.ReadMemStats).
  std::uint64_t heap_alloc_bytes = 0;
};

/// Part 3: the "unbounded channel" bridge with a slow consumer.
struct BridgeResults {
  /// Bytes of one message.
  std::uint64_t message_bytes = 0;
  /// Most messages the producer sends, and the run's time limit.
  std::uint64_t max_messages = 0;
  std::int64_t limit_ns = 0;
  /// The consumer's pause after each message, and the sampling period.
  std::int64_t consumer_delay_ns = 0;
  std::int64_t sample_every_ns = 0;
  std::vector<BridgeSample> samples;
  /// Totals at the stop.
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  /// Messages still in the buffer when the run was stopped (thrown away).
  std::uint64_t dropped = 0;
  /// "time" (the limit) or "drained" (every message reached the consumer).
  std::string stopped_by;
  /// The consumer saw 0, 1, 2, ... with none missing.
  bool in_order = false;
};

/// Everything measured on one runtime.
struct RuntimeResults {
  /// "gort" or "go".
  std::string runtime;
  /// "gort" or Go's runtime.Version().
  std::string version;
  /// Ps the runs used (GOMAXPROCS).
  int gomaxprocs = 0;
  std::optional<ThroughputResults> throughput;
  std::optional<ToggleResults> toggle;
  std::optional<BridgeResults> bridge;
};

/// Everything one invocation of the lab produced: the --json file's shape.
struct LabRun {
  /// The command as typed, for the report.
  std::string command;
  /// lab::machine_description() of the machine that ran it.
  std::string machine;
  /// /proc/loadavg's first three fields before the runs ("0.05 0.10 0.08").
  std::string load_before;
  RuntimeResults gort;
  /// The Go twin's results (--go), or empty.
  std::optional<RuntimeResults> go;
  /// Why the Go twin's results are missing although --go was given.
  std::string go_error;
};

/// Median wall time of a run divided by the messages: ns per message (0 without runs).
double median_ns_per_msg(const ThroughputResult& v, std::uint64_t messages);

/// Messages per second at the median run (0 without runs).
double median_msgs_per_sec(const ThroughputResult& v, std::uint64_t messages);

/// The variant called `name`, or null.
const ThroughputResult* find_variant(const ThroughputResults& r, const std::string& name);

/// The mode called `name`, or null.
const ToggleMode* find_mode(const ToggleResults& r, const std::string& name);

/// The largest backlog, RSS and HeapAlloc over the samples (zeros without samples).
BridgeSample bridge_peaks(const BridgeResults& b);

// JSON conversions (nlohmann's ADL hooks), one field per member under the
// member's snake_case name; optional members are null when absent.
void to_json(nlohmann::json& j, const ThroughputResult& v);
void from_json(const nlohmann::json& j, ThroughputResult& v);
void to_json(nlohmann::json& j, const ThroughputResults& v);
void from_json(const nlohmann::json& j, ThroughputResults& v);
void to_json(nlohmann::json& j, const ToggleMode& v);
void from_json(const nlohmann::json& j, ToggleMode& v);
void to_json(nlohmann::json& j, const ToggleResults& v);
void from_json(const nlohmann::json& j, ToggleResults& v);
void to_json(nlohmann::json& j, const BridgeSample& v);
void from_json(const nlohmann::json& j, BridgeSample& v);
void to_json(nlohmann::json& j, const BridgeResults& v);
void from_json(const nlohmann::json& j, BridgeResults& v);
void to_json(nlohmann::json& j, const RuntimeResults& v);
void from_json(const nlohmann::json& j, RuntimeResults& v);
void to_json(nlohmann::json& j, const LabRun& v);

}  // namespace chanbench
