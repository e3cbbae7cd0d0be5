// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>

#include "structs.hpp"

namespace layoutlab {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "layout-forensics";

/// Most elements per array: 10^8 elements of the largest struct (56 bytes)
/// are 5.6 GB, the most a machine of this lab's kind could hold.
constexpr std::int64_t kMaxElements = 100'000'000;
/// Most forced cycles per array.
constexpr std::int64_t kMaxGcRounds = 100;
/// Most increments per goroutine and run: 10^10 at ~100 ns (a bouncing line)
/// is a quarter of an hour, well past any useful run.
constexpr std::int64_t kMaxIncrements = 10'000'000'000;
/// Most timed runs per false-sharing variant.
constexpr std::int64_t kMaxRuns = 1000;
/// Most GOMAXPROCS accepted (as the other labs: Go's own cap is 1024).
constexpr std::int64_t kMaxProcs = 256;

/// The struct names in report order.
std::vector<std::string> all_struct_names() {
  std::vector<std::string> names;
  for (const StructSpec* s : kAllSpecs) names.emplace_back(s->name);
  return names;
}

/// Parses --structs: names from structs.hpp, duplicates dropped, in report order.
std::optional<std::vector<std::string>> parse_structs(const std::string& s) {
  return lab::parse_subset(s, all_struct_names());
}

/// Parses --parts into config's switches; false for an unknown part.
bool parse_parts(const std::string& s, ExperimentConfig* config) {
  config->arrays = config->sharing = false;
  if (s == "none") return true;
  for (const std::string& item : lab::split_list(s)) {
    if (item == "arrays") {
      config->arrays = true;
    } else if (item == "sharing") {
      config->sharing = true;
    } else {
      return false;
    }
  }
  return true;
}

/// Parses the hidden --child-array NAME/LAYOUT.
std::optional<ArrayParams> parse_child(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos) return std::nullopt;
  ArrayParams p;
  p.name = s.substr(0, slash);
  p.layout = s.substr(slash + 1);
  const std::vector<std::string> all = all_struct_names();
  const bool known = p.name == "none" ? p.layout == "none"
                                      : std::find(all.begin(), all.end(), p.name) != all.end() &&
                                            (p.layout == "bad" || p.layout == "packed");
  if (!known) return std::nullopt;
  return p;
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "layout-forensics: the course's week-5 lab. Five badly padded structs, their sizes by the layout rules "
      "(field offsets, padding) against sizeof/alignof/offsetof, and their reordered versions; a 1M-element "
      "array of each on gort's managed heap (allocation time, HeapAlloc, GC mark time and pauses from "
      "GODEBUG=gctrace=1 and MemStats); and false sharing: two atomic counters hammered by goroutines on two "
      "Ps, side by side and with a cache-line pad. Markdown report on stdout, progress on stderr."};
  std::string structs = "Sandwich,Mixed,Node,Nested,Narrow";
  std::string parts = "arrays,sharing";
  std::string elements = "1000000", gc_rounds = "5", increments = "10000000", runs = "5", procs = "2", pad = "64";
  std::string child;
  lab::CommonFlags common;
  app.add_option("--structs", structs, "structs to examine: Sandwich, Mixed, Node, Nested, Narrow (comma-separated)")
      ->default_val(structs);
  app.add_option("--parts", parts,
                 "what to run besides the layouts: arrays (1M-element arrays on the heap), sharing (false "
                 "sharing), comma-separated, or none")
      ->default_val(parts);
  app.add_option("--elements", elements, "elements of each array (the course: 1M)")->default_val(elements);
  app.add_option("--gc-rounds", gc_rounds, "forced GC cycles measured per array (medians reported)")
      ->default_val(gc_rounds);
  app.add_option("--increments", increments, "increments per goroutine per false-sharing run")
      ->default_val(increments);
  app.add_option("--runs", runs, "timed false-sharing runs per variant (the report quotes the median)")
      ->default_val(runs);
  app.add_option("--procs", procs, "GOMAXPROCS for the false-sharing runs (2: each goroutine on a P)")
      ->default_val(procs);
  app.add_option("--pad", pad,
                 "bytes between the padded counters: 64 (one line, Go's CacheLinePad on amd64) or 128 (two "
                 "lines, clear of the adjacent-line prefetcher)")
      ->default_val(pad);
  app.add_option("--child-array", child, "internal: run one array (NAME/LAYOUT) and print its JSON")->group("");
  lab::add_common_flags(app, kLab,
                        {.short_mode = "20000 elements, 2 GC rounds, 100000 increments, 2 runs, unless given",
                         .svg = "ns/increment of every false-sharing run, per variant and runtime,",
                         .go_extra = " with the same structs and parameters"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    if (app.count("--elements") == 0) elements = "20000";
    if (app.count("--gc-rounds") == 0) gc_rounds = "2";
    if (app.count("--increments") == 0) increments = "100000";
    if (app.count("--runs") == 0) runs = "2";
  }
  ExperimentConfig& c = o.config;
  auto s = parse_structs(structs);
  if (!s || s->empty()) {
    return fail(fmt::format("--structs '{}': expected comma-separated names from Sandwich, Mixed, Node, Nested, Narrow",
                            structs));
  }
  c.structs = *s;
  if (!parse_parts(parts, &c)) {
    return fail(fmt::format("--parts '{}': expected arrays, sharing (comma-separated) or none", parts));
  }
  auto n = lab::parse_integer(elements, 1, kMaxElements);
  if (!n) return fail(fmt::format("--elements '{}': expected a number 1..{}", elements, kMaxElements));
  c.elements = static_cast<std::uint64_t>(*n);
  auto g = lab::parse_integer(gc_rounds, 1, kMaxGcRounds);
  if (!g) return fail(fmt::format("--gc-rounds '{}': expected a number 1..{}", gc_rounds, kMaxGcRounds));
  c.gc_rounds = static_cast<int>(*g);
  auto inc = lab::parse_integer(increments, 1, kMaxIncrements);
  if (!inc) return fail(fmt::format("--increments '{}': expected a number 1..{}", increments, kMaxIncrements));
  c.sharing_config.increments = static_cast<std::uint64_t>(*inc);
  auto r = lab::parse_integer(runs, 1, kMaxRuns);
  if (!r) return fail(fmt::format("--runs '{}': expected a number 1..{}", runs, kMaxRuns));
  c.sharing_config.runs = static_cast<int>(*r);
  auto p = lab::parse_integer(procs, 1, kMaxProcs);
  if (!p) return fail(fmt::format("--procs '{}': expected a number 1..{}", procs, kMaxProcs));
  c.sharing_config.procs = static_cast<int>(*p);
  auto b = lab::parse_integer(pad, 1, 4096);
  if (!b || std::find(std::begin(kPadChoices), std::end(kPadChoices), *b) == std::end(kPadChoices)) {
    return fail(fmt::format("--pad '{}': expected 64 or 128", pad));
  }
  c.sharing_config.pad_bytes = static_cast<int>(*b);
  if (!child.empty()) {
    auto params = parse_child(child);
    if (!params) return fail(fmt::format("--child-array '{}': expected STRUCT/bad, STRUCT/packed or none/none", child));
    params->elements = c.elements;
    params->rounds = c.gc_rounds;
    o.child = *params;
  }
  return o;
}

}  // namespace layoutlab
