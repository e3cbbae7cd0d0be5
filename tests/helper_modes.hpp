// helper_modes.hpp — the shape of the subprocess helper programs (chan_helper,
// gc_helper): a table of named modes, one per program that ends a certain way,
// and a main that runs the mode named on the command line.
#pragma once

#include <cstdio>
#include <cstring>
#include <functional>

namespace gort::test {

/// One helper mode: its command-line name and the program it runs (returns the exit status).
struct HelperMode {
  const char* name;
  std::function<int()> run;
};

/// Runs the mode named by argv[1]; prints the usage and the known modes and
/// returns 64 (EX_USAGE) when there is no such mode.
template <std::size_t N>
int run_helper_mode(const char* program, int argc, char** argv, const HelperMode (&modes)[N]) {
  if (argc == 2) {
    for (const HelperMode& m : modes) {
      if (std::strcmp(argv[1], m.name) == 0) return m.run();
    }
  }
  std::fprintf(stderr, "usage: %s MODE\nmodes:", program);
  for (const HelperMode& m : modes) std::fprintf(stderr, " %s", m.name);
  std::fprintf(stderr, "\n");
  return 64;
}

}  // namespace gort::test
