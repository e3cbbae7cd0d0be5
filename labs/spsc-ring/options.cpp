// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>

namespace spsclab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "spsc-ring";

/// Most messages per run: 10^9 is ten minutes of the slowest variant, far
/// beyond the course's 10M.
constexpr std::int64_t kMaxMessages = 1'000'000'000;
/// Largest queue capacity accepted: 2^24 slots (128 MiB of uint64_t); the
/// ring accepts more, no experiment needs it.
constexpr std::int64_t kMaxCapacity = std::int64_t{1} << 24;
/// Most timed runs per variant.
constexpr std::int64_t kMaxRuns = 1000;
/// Most GOMAXPROCS accepted (as the other labs: Go's own cap is 1024).
constexpr std::int64_t kMaxProcs = 256;

/// Parses --variants: names from variants.hpp, duplicates dropped, in the lab's order.
std::optional<std::vector<Variant>> parse_variants(const std::string& s) {
  std::vector<std::string> known;
  for (Variant v : all_variants()) known.emplace_back(variant_name(v));
  const auto names = lab::parse_subset(s, known);
  if (!names) return std::nullopt;
  std::vector<Variant> chosen;
  for (const std::string& name : *names) chosen.push_back(*parse_variant(name));
  return chosen;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "spsc-ring: the course's week-10 lab (Appendix B.1). A producer goroutine sends 0..N-1 to a consumer "
      "goroutine on two Ps through a lock-free single-producer single-consumer ring (atomic head and tail, "
      "acquire/release only, each index on its own cache line), the same ring with both indices on one line "
      "(withoutPad), both again with cached copies of the other side's index (cached, cachedWithoutPad), a "
      "buffered channel and a mutex-protected queue. Reports ns/message and messages/s (median "
      "of the runs) and the ratios. Markdown report on stdout, progress on stderr."};
  std::string variants = "ring,withoutPad,cached,cachedWithoutPad,chan,mutex";
  std::string messages = "10000000", capacity = "1024", runs = "7", procs = "2", wait = "backoff";
  lab::CommonFlags common;
  app.add_option("--variants", variants, "queues to compare: ring, withoutPad, cached, cachedWithoutPad, chan, mutex (comma-separated)")
      ->default_val(variants);
  app.add_option("--messages", messages, "values each run sends (the course: 10M)")->default_val(messages);
  app.add_option("--capacity", capacity, "slots of every queue, a power of two")->default_val(capacity);
  app.add_option("--runs", runs, "timed runs per variant (the report quotes the median)")->default_val(runs);
  app.add_option("--procs", procs, "GOMAXPROCS for the runs (2: producer and consumer each on a P)")
      ->default_val(procs);
  app.add_option("--wait", wait,
                 "what a blocked ring or mutex-queue side does: backoff (100 pause-and-retry, then yield), spin "
                 "(pause and a safe point, never yield) or gosched (yield every time, as runtime.Gosched)")
      ->default_val(wait);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "200000 messages, 3 runs, unless given",
                         .svg = "ns/message of every run, per variant and runtime,",
                         .go_extra = " with the same parameters and variants"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    if (app.count("--messages") == 0) messages = "200000";
    if (app.count("--runs") == 0) runs = "3";
  }
  ExperimentConfig& c = o.config;
  auto v = parse_variants(variants);
  if (!v || v->empty()) {
    return fail(fmt::format("--variants '{}': expected comma-separated names from ring, withoutPad, cached, cachedWithoutPad, "
                            "chan, mutex",
                            variants));
  }
  c.variants = *v;
  auto n = lab::parse_integer(messages, 1, kMaxMessages);
  if (!n) return fail(fmt::format("--messages '{}': expected a number 1..{}", messages, kMaxMessages));
  c.transfer.messages = static_cast<std::uint64_t>(*n);
  auto cap = lab::parse_integer(capacity, 1, kMaxCapacity);
  if (!cap || (*cap & (*cap - 1)) != 0) {
    return fail(fmt::format("--capacity '{}': expected a power of two 1..{} (e.g. 1024)", capacity, kMaxCapacity));
  }
  c.transfer.capacity = static_cast<std::size_t>(*cap);
  auto r = lab::parse_integer(runs, 1, kMaxRuns);
  if (!r) return fail(fmt::format("--runs '{}': expected a number 1..{}", runs, kMaxRuns));
  c.runs = static_cast<int>(*r);
  auto p = lab::parse_integer(procs, 1, kMaxProcs);
  if (!p) return fail(fmt::format("--procs '{}': expected a number 1..{}", procs, kMaxProcs));
  c.procs = static_cast<int>(*p);
  auto w = parse_wait_policy(wait);
  if (!w) return fail(fmt::format("--wait '{}': expected backoff, spin or gosched", wait));
  c.transfer.wait = *w;
  return o;
}

}  // namespace spsclab
