// options.hpp — the lab's command line (CLI11): the exercise's variations as
// flags, --short for the test suite, and one clear line plus exit status 2 for
// a malformed value.
#pragma once

#include <optional>
#include <string>

#include "experiments.hpp"

namespace ctxlab {

/// Everything the command line decides.
struct Options {
  Config config;
  /// Where the SVG goes (empty: no plot).
  std::string svg_path;
  /// Where the JSON measurements go (empty: none).
  std::string json_path;
  /// Also run the Go twin with the same parameters.
  bool with_go = false;
};

/// Parses argv.  Returns nullopt when the program should exit at once with
/// *exit_code: 0 after --help, 2 after a malformed flag (one line on stderr
/// naming the flag and its accepted forms).
std::optional<Options> parse_options(int argc, char** argv, int* exit_code);

}  // namespace ctxlab
