// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>

#include "throughput.hpp"

namespace chanbench {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "chan-bench";

/// Most messages per throughput run: 10^9 is some minutes of the slowest
/// variant, far beyond the course's 10M.
constexpr std::int64_t kMaxMessages = 1'000'000'000;
/// Largest mutex-queue and ring capacity: 2^24 slots (128 MiB of uint64_t).
constexpr std::int64_t kMaxCapacity = std::int64_t{1} << 24;
/// Most timed runs per variant.
constexpr std::int64_t kMaxRuns = 1000;
/// Most GOMAXPROCS accepted (as the other labs: Go's own cap is 1024).
constexpr std::int64_t kMaxProcs = 256;
/// Most values upstream A sends in part 2: its channel buffers all of them
/// (8 bytes each), so 10^8 is 800 MB.
constexpr std::int64_t kMaxToggleMessages = 100'000'000;
/// Most messages of the bridge: 10^8 of 64 bytes is 6.4 GB of backlog if the
/// consumer took none, the most a lab should be allowed to ask of a machine.
constexpr std::int64_t kMaxBridgeMessages = 100'000'000;
/// Longest bridge run, and longest consumer delay, accepted: ten minutes.
constexpr std::chrono::nanoseconds kMaxBridgeLimit = std::chrono::minutes(10);
/// The three parts, in the report's order.
const std::vector<std::string> kParts{"throughput", "toggle", "bridge"};

/// Parses a comma-separated list of names from `known`, duplicates dropped, in
/// known's order; nullopt for an unknown or empty list.
std::optional<std::vector<std::string>> parse_names(const std::string& s, const std::vector<std::string>& known) {
  auto ordered = lab::parse_subset(s, known);
  if (ordered && ordered->empty()) return std::nullopt;
  return ordered;
}

/// "a, b, c" for an error message.
std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "chan-bench: the course's week-9 lab (\"Channel Internals\"). (1) One producer and one consumer goroutine "
      "pass N values through an unbuffered channel, buffered channels of 1 and 1024, a mutex-protected queue and an "
      "atomic-only SPSC ring: ns/message and messages/s, median of the runs. (2) The nil-channel select toggle: a "
      "goroutine alternates between two upstream channels by setting one to nil. (3) An \"unbounded channel\" "
      "bridge with a slow consumer: its memory sampled over time until a message or time bound stops it. "
      "Markdown report on stdout, progress on stderr."};
  std::string parts = "throughput,toggle,bridge";
  std::string variants = "unbuffered,buffered1,buffered1024,mutex,ring";
  std::string messages = "10000000", capacity = "1024", runs = "3", procs = "2", wait = "backoff";
  std::string toggle_messages = "1000000";
  std::string bridge_messages = "2000000", bridge_time = "5s", consumer_delay = "1ms", sample_every = "50ms";
  lab::CommonFlags common;
  app.add_option("--parts", parts, "parts to run: throughput, toggle, bridge (comma-separated)")->default_val(parts);
  app.add_option("--variants", variants,
                 "part 1's queues: unbuffered, buffered1, buffered1024, mutex, ring (comma-separated)")
      ->default_val(variants);
  app.add_option("--messages", messages, "values each throughput run sends (the course: 10M)")->default_val(messages);
  app.add_option("--capacity", capacity, "slots of the mutex queue and the ring, a power of two")
      ->default_val(capacity);
  app.add_option("--runs", runs, "timed runs per variant (the report quotes the median)")->default_val(runs);
  app.add_option("--procs", procs, "GOMAXPROCS (2: producer and consumer each on a P)")->default_val(procs);
  app.add_option("--wait", wait,
                 "what a blocked mutex-queue or ring side does: backoff (100 pause-and-retry, then yield), spin or "
                 "gosched (as in spsc-ring)")
      ->default_val(wait);
  app.add_option("--toggle-messages", toggle_messages,
                 "values upstream A sends in part 2 (B sends half as many)")
      ->default_val(toggle_messages);
  app.add_option("--bridge-messages", bridge_messages, "most messages the bridge's producer sends")
      ->default_val(bridge_messages);
  app.add_option("--bridge-time", bridge_time, "the bridge run's time limit (a Go duration)")->default_val(bridge_time);
  app.add_option("--consumer-delay", consumer_delay, "the slow consumer's pause after each message (a Go duration)")
      ->default_val(consumer_delay);
  app.add_option("--sample-every", sample_every, "the bridge's memory sampling period (a Go duration)")
      ->default_val(sample_every);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "100000 messages, 2 runs, 20000 toggle values, a 20000-message bridge of "
                                       "400ms sampled every 20ms, unless given",
                         .svg = "messages/s per variant (the bridge's memory over time goes to FILE-bridge.svg)",
                         .go_extra = " with the same parameters and parts"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    const auto unless_given = [&](const char* flag, std::string* value, const char* short_value) {
      if (app.count(flag) == 0) *value = short_value;
    };
    unless_given("--messages", &messages, "100000");
    unless_given("--runs", &runs, "2");
    unless_given("--toggle-messages", &toggle_messages, "20000");
    unless_given("--bridge-messages", &bridge_messages, "20000");
    unless_given("--bridge-time", &bridge_time, "400ms");
    unless_given("--sample-every", &sample_every, "20ms");
  }
  LabConfig& c = o.config;
  auto p = parse_names(parts, kParts);
  if (!p) return fail(fmt::format("--parts '{}': expected comma-separated names from {}", parts, joined(kParts)));
  const auto has = [&](const char* part) { return std::find(p->begin(), p->end(), part) != p->end(); };
  c.run_throughput = has("throughput");
  c.run_toggle = has("toggle");
  c.run_bridge = has("bridge");
  auto v = parse_names(variants, all_variants());
  if (!v) {
    return fail(fmt::format("--variants '{}': expected comma-separated names from {}", variants,
                            joined(all_variants())));
  }
  c.throughput.variants = *v;
  auto n = lab::parse_integer(messages, 1, kMaxMessages);
  if (!n) return fail(fmt::format("--messages '{}': expected a number 1..{}", messages, kMaxMessages));
  c.throughput.messages = static_cast<std::uint64_t>(*n);
  auto cap = lab::parse_integer(capacity, 1, kMaxCapacity);
  if (!cap || (*cap & (*cap - 1)) != 0) {
    return fail(fmt::format("--capacity '{}': expected a power of two 1..{} (e.g. 1024)", capacity, kMaxCapacity));
  }
  c.throughput.capacity = static_cast<std::size_t>(*cap);
  auto r = lab::parse_integer(runs, 1, kMaxRuns);
  if (!r) return fail(fmt::format("--runs '{}': expected a number 1..{}", runs, kMaxRuns));
  c.throughput.runs = static_cast<int>(*r);
  auto procs_n = lab::parse_integer(procs, 1, kMaxProcs);
  if (!procs_n) return fail(fmt::format("--procs '{}': expected a number 1..{}", procs, kMaxProcs));
  c.procs = static_cast<int>(*procs_n);
  auto w = spsclab::parse_wait_policy(wait);
  if (!w) return fail(fmt::format("--wait '{}': expected backoff, spin or gosched", wait));
  c.throughput.wait = *w;
  auto t = lab::parse_integer(toggle_messages, 2, kMaxToggleMessages);
  if (!t) {
    return fail(fmt::format("--toggle-messages '{}': expected a number 2..{}", toggle_messages, kMaxToggleMessages));
  }
  c.toggle.a_messages = static_cast<std::uint64_t>(*t);
  auto b = lab::parse_integer(bridge_messages, 1, kMaxBridgeMessages);
  if (!b) {
    return fail(fmt::format("--bridge-messages '{}': expected a number 1..{}", bridge_messages, kMaxBridgeMessages));
  }
  c.bridge.max_messages = static_cast<std::uint64_t>(*b);
  auto limit = lab::parse_go_duration(bridge_time);
  if (!limit || *limit > kMaxBridgeLimit) {
    return fail(fmt::format("--bridge-time '{}': expected a positive Go duration up to 10m (e.g. 5s)", bridge_time));
  }
  c.bridge.limit = *limit;
  auto delay = lab::parse_go_duration(consumer_delay);
  if (!delay || *delay > kMaxBridgeLimit) {
    return fail(fmt::format("--consumer-delay '{}': expected a positive Go duration up to 10m (e.g. 1ms)",
                            consumer_delay));
  }
  c.bridge.consumer_delay = *delay;
  auto every = lab::parse_go_duration(sample_every);
  if (!every || *every > *limit) {
    return fail(fmt::format("--sample-every '{}': expected a positive Go duration no longer than --bridge-time "
                            "(e.g. 50ms)",
                            sample_every));
  }
  c.bridge.sample_every = *every;
  return o;
}

}  // namespace chanbench
