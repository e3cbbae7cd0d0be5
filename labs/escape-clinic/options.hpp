// options.hpp — escape-clinic's command line: which snippets, how long each
// benchmark runs (Go's -benchtime), how often (Go's -count), and the outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace escape {

/// How long a benchmark runs, as Go's -benchtime says it: a duration ("1s",
/// "200ms": grow the iteration count until a run lasts that long) or an exact
/// iteration count ("1000x").
struct BenchTime {
  /// Exact iterations per run; 0 when min_seconds applies.
  int64_t iterations = 0;
  /// Minimum duration of a run in seconds, when iterations == 0.
  double min_seconds = 1.0;
  /// The flag's text, passed on to the Go twin unchanged ("1s", "1000x").
  std::string text = "1s";
};

/// Parses Go's -benchtime syntax: "<N>x" with N >= 1, or a positive duration
/// of one or more <number><unit> parts (units ns, us, µs, ms, s, m).  Returns
/// nullopt when s is neither.
std::optional<BenchTime> parse_benchtime(const std::string& s);

/// Everything the command line decides.
struct Options {
  /// Snippet letters to run, in the course's order ("A".."G").
  std::vector<std::string> snippets;
  /// Length of each benchmark run.
  BenchTime benchtime;
  /// Repetitions of each benchmark (Go's -count); the report shows the median ns/op.
  int count = 1;
  /// JSON output of every measurement (empty: none).
  std::string json_path;
  /// Also run the Go twin and go build -gcflags=-m on it, and report both.
  bool with_go = false;
};

/// Parses argv.  Returns the options, or nullopt after printing help (exit 0
/// wanted: *exit_code = 0) or one error line naming the flag and its accepted
/// forms (*exit_code = 2).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace escape
