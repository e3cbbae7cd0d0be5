// options.cpp — the command line (CLI11) and Go's -benchtime syntax.
#include "options.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <lab/cli.hpp>

#include <algorithm>
#include <chrono>

#include "snippets.hpp"

namespace escape {
namespace {

/// The lab's name in messages.
constexpr const char* kLab = "escape-clinic";

/// Longest benchmark run the lab accepts: 10 minutes per run is already far
/// beyond what any snippet needs for a stable ns/op.
constexpr double kMaxBenchSeconds = 600;
/// Most iterations per run: 10^9, the cap go test puts on b.N.
constexpr int64_t kMaxIterations = 1'000'000'000;
/// Most repetitions (Go's -count); the median of more says nothing new.
constexpr int kMaxCount = 100;

}  // namespace

std::optional<BenchTime> parse_benchtime(const std::string& s) {
  BenchTime b;
  b.text = s;
  if (!s.empty() && s.back() == 'x') {
    const auto n = lab::parse_integer(s.substr(0, s.size() - 1), 1, kMaxIterations);
    if (!n) return std::nullopt;
    b.iterations = *n;
    return b;
  }
  auto d = lab::parse_go_duration(s);
  if (!d) return std::nullopt;
  const double seconds = std::chrono::duration<double>(*d).count();
  if (seconds > kMaxBenchSeconds) return std::nullopt;
  b.min_seconds = seconds;
  return b;
}

std::optional<Options> parse_options(int argc, char** argv, int* exit_code) {
  Options o;
  CLI::App app{
      "escape-clinic: the course's week-4 lab (Escape Forensics). Benchmarks the seven escape "
      "snippets A-G translated to C++/gort, before and after a refactor that keeps the value on "
      "the stack, counting managed-heap and C++-heap allocations per operation, and checks each "
      "written prediction against the counts. Markdown report on stdout, progress on stderr."};
  std::string snippets = "A,B,C,D,E,F,G";
  std::string benchtime = "1s";
  lab::CommonFlags common;
  app.add_option("--snippets", snippets, "snippets to run, comma-separated letters A-G")->default_val(snippets);
  app.add_option("--benchtime", benchtime,
                 "run each benchmark this long (a Go duration: 1s, 200ms) or exactly N iterations (Nx), "
                 "as go test -benchtime")
      ->default_val(benchtime);
  app.add_option("--count", o.count, "run each benchmark N times; the report shows the median ns/op")
      ->default_val(o.count);
  lab::add_common_flags(app, kLab,
                        {.short_mode = "--benchtime 1000x unless given",
                         .go_extra = ", and go build -gcflags=-m on it; the report shows both"},
                        &common);
  if (!lab::parse_command_line(app, kLab, argc, argv, exit_code)) return std::nullopt;
  o.json_path = common.json_path;
  o.with_go = common.with_go;
  if (common.short_mode && app.count("--benchtime") == 0) benchtime = "1000x";
  auto bt = parse_benchtime(benchtime);
  if (!bt)
    return lab::usage_error(kLab, fmt::format("--benchtime '{}': expected a positive Go duration up to 10m (1s, 200ms) "
                                   "or an iteration count Nx with N from 1 to {} (1000x)",
                                   benchtime, kMaxIterations), exit_code);
  o.benchtime = *bt;
  if (o.count < 1 || o.count > kMaxCount)
    return lab::usage_error(kLab, fmt::format("--count {}: expected a number from 1 to {}", o.count, kMaxCount), exit_code);

  std::vector<std::string> wanted;
  for (std::string letter : lab::split_list(snippets)) {
    std::transform(letter.begin(), letter.end(), letter.begin(), [](char c) { return std::toupper(static_cast<unsigned char>(c)); });
    const bool known = std::any_of(all_snippets().begin(), all_snippets().end(),
                                   [&](const Snippet& s) { return s.id == letter; });
    if (!known) return lab::usage_error(kLab, fmt::format("--snippets '{}': expected comma-separated letters A-G (A,C,F)", snippets), exit_code);
    if (std::find(wanted.begin(), wanted.end(), letter) == wanted.end()) wanted.push_back(letter);
  }
  for (const Snippet& s : all_snippets())  // the course's order, whatever the flag's
    if (std::find(wanted.begin(), wanted.end(), s.id) != wanted.end()) o.snippets.push_back(s.id);
  return o;
}

}  // namespace escape
