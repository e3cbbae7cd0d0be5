// options.cpp — the command line (see options.hpp).
#include "options.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <lab/cli.hpp>

#include <algorithm>
#include <tuple>

#include "boxing.hpp"
#include "handler.hpp"
#include "loops.hpp"

namespace ifacebench {

namespace {

/// The program's name, the first word of every error line.
constexpr const char* kLab = "iface-bench";

/// Most operations per run: 10^10 step calls are some 20 s of the slowest
/// path on this machine; more is never needed to see a nanosecond.
constexpr int64_t kMaxOps = 10'000'000'000;
/// Most timed runs per variant.
constexpr int64_t kMaxRuns = 1000;

/// Every name of a table with a `name` member, comma-separated.
template <class T>
std::string names_of(const T* table, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) out += (i ? "," : "") + std::string(table[i].name);
  return out;
}

/// Parses a comma-separated subset of `table`'s names into table order,
/// duplicates dropped; nullopt on an unknown or empty name.
template <class T>
std::optional<std::vector<std::string>> parse_subset(const std::string& s, const T* table, int count) {
  if (s.empty()) return std::vector<std::string>{};  // none of this group
  std::vector<std::string> known;
  for (int i = 0; i < count; ++i) known.emplace_back(table[i].name);
  return lab::parse_subset(s, known);
}

}  // namespace

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  int n_paths = 0, n_loggers = 0, n_boxing = 0;
  const StepPath* paths = step_paths(&n_paths);
  const HandlerVersion* loggers = handler_versions(&n_loggers);
  const BoxingVariant* boxing = boxing_variants(&n_boxing);
  CLI::App app{
      "iface-bench: the course's week-7 lab (Interface Bench). One method called in a tight loop on the concrete "
      "type, through an interface (virtual call), a std::function, a template instantiated with the concrete type "
      "and with the interface, and a virtual call the compiler can see through; a handler logging ten times "
      "through a Logger interface, refactored to the concrete type and to a template; an int formatted directly "
      "and through type erasure. Reports ns/op and allocs/op (C++ heap and managed heap), and quotes each loop from "
      "objdump of this binary with the indirect call marked. Markdown report on stdout, progress on stderr."};
  Options o;
  std::string path_list = names_of(paths, n_paths), logger_list = names_of(loggers, n_loggers),
              boxing_list = names_of(boxing, n_boxing);
  std::string calls = "50000000", requests = "2000000", boxes = "1000000", runs = "5", log_level = "info";
  app.add_option("--paths", path_list, "three-way paths (\"\" for none): " + names_of(paths, n_paths))->default_val(path_list);
  app.add_option("--loggers", logger_list, "logger handler versions: " + names_of(loggers, n_loggers))
      ->default_val(logger_list);
  app.add_option("--boxing", boxing_list, "boxing variants: " + names_of(boxing, n_boxing))->default_val(boxing_list);
  app.add_option("--calls", calls, "method calls per run of each three-way path")->default_val(calls);
  app.add_option("--requests", requests, "requests per run of each handler version (ten log calls each)")
      ->default_val(requests);
  app.add_option("--boxes", boxes, "ints formatted per run of each boxing variant")->default_val(boxes);
  app.add_option("--runs", runs, "timed runs per variant (the report quotes the median)")->default_val(runs);
  app.add_option("--log-level", log_level, "the logger's level: info (debug calls are filtered out) or debug")
      ->default_val(log_level);
  app.add_option("--objdump", o.objdump, "the disassembler for this program's loops (GNU objdump)")
      ->default_val(o.objdump);
  lab::CommonFlags common;
  lab::add_common_flags(app, kLab,
                        {.short_mode = "1M calls, 100k requests, 20k values, 3 runs, unless given",
                         .svg = "ns/op of every variant, per runtime,",
                         .go_extra = " with the same parameters, its go tool objdump and go build -gcflags=-m"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.svg_path = common.svg_path;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  const auto fail = [&](const std::string& msg) { return lab::usage_error(kLab, msg, exit_code); };
  if (common.short_mode) {
    if (app.count("--calls") == 0) calls = "1000000";
    if (app.count("--requests") == 0) requests = "100000";
    if (app.count("--boxes") == 0) boxes = "20000";
    if (app.count("--runs") == 0) runs = "3";
  }
  ExperimentConfig& c = o.config;
  auto p = parse_subset(path_list, paths, n_paths);
  if (!p) return fail(fmt::format("--paths '{}': expected names from {}", path_list, names_of(paths, n_paths)));
  c.paths = *p;
  auto l = parse_subset(logger_list, loggers, n_loggers);
  if (!l) return fail(fmt::format("--loggers '{}': expected names from {}", logger_list, names_of(loggers, n_loggers)));
  c.loggers = *l;
  auto b = parse_subset(boxing_list, boxing, n_boxing);
  if (!b) return fail(fmt::format("--boxing '{}': expected names from {}", boxing_list, names_of(boxing, n_boxing)));
  c.boxing = *b;
  if (c.paths.empty() && c.loggers.empty() && c.boxing.empty()) {
    return fail("--paths, --loggers and --boxing are all empty: nothing to measure");
  }
  for (auto [flag, text, out] : {std::tuple{"--calls", &calls, &c.calls}, std::tuple{"--requests", &requests, &c.requests},
                                 std::tuple{"--boxes", &boxes, &c.boxes}}) {
    auto n = lab::parse_integer(*text, 1, kMaxOps);
    if (!n) return fail(fmt::format("{} '{}': expected a number 1..{}", flag, *text, kMaxOps));
    *out = static_cast<uint64_t>(*n);
  }
  auto r = lab::parse_integer(runs, 1, kMaxRuns);
  if (!r) return fail(fmt::format("--runs '{}': expected a number 1..{}", runs, kMaxRuns));
  c.runs = static_cast<int>(*r);
  if (log_level == "info") {
    c.log_level = Level::Info;
  } else if (log_level == "debug") {
    c.log_level = Level::Debug;
  } else {
    return fail(fmt::format("--log-level '{}': expected info or debug", log_level));
  }
  if (o.objdump.empty()) return fail("--objdump '': expected a program name or path");
  return o;
}

}  // namespace ifacebench
