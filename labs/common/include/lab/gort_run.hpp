// lab/gort_run.hpp — how a lab runs its experiment on gort: the whole
// measurement inside one gort::run, an exception from it turned into one line
// on stderr and a failed exit instead of std::terminate.  For labs, which link
// gort::gort (labs/common itself does not).
#pragma once

#include <fmt/format.h>
#include <gort/runtime.hpp>

#include <exception>
#include <string>
#include <string_view>

namespace lab {

/// Runs experiment() as gort's main goroutine (gort::run); returns true when it
/// returned, false when it threw, after printing "<lab>: <what()>" on stderr.
/// Precondition: not already inside gort::run.
template <class F>
bool run_on_gort_reporting(std::string_view lab, F&& experiment) {
  std::string failure;
  gort::run([&] {
    try {
      experiment();
    } catch (const std::exception& e) {
      failure = e.what();
      if (failure.empty()) failure = "the experiment failed without a message";
    }
  });
  if (failure.empty()) return true;
  fmt::print(stderr, "{}: {}\n", lab, failure);
  return false;
}

}  // namespace lab
