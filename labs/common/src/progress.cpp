// progress.cpp — rate-limited progress lines on stderr.
#include "lab/progress.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace lab {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

Progress::Progress(std::string what, long total)
    : what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::update(long done) {
  if (seconds_since(last_) < 0.5) return;
  last_ = std::chrono::steady_clock::now();
  fmt::print(stderr, "{}: {}/{} ({:.1f}s)\n", what_, done, total_, seconds_since(start_));
}

void Progress::finish() {
  fmt::print(stderr, "{}: {}/{} done in {:.2f}s\n", what_, total_, total_, seconds_since(start_));
}

}  // namespace lab
