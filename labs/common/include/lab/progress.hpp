// lab/progress.hpp — progress lines on stderr for runs longer than a few seconds.
#pragma once

#include <chrono>
#include <string>

namespace lab {

/// Prints "<what>: done/total (elapsed)" to stderr at most twice a second, and
/// a final line at finish().  Not thread-safe: one owner updates it.
class Progress {
 public:
  /// Starts reporting on `what`, out of `total` steps.
  Progress(std::string what, long total);

  /// Records that `done` steps are complete; prints when the last line is
  /// older than half a second.
  void update(long done);

  /// Prints the closing line with the elapsed time.
  void finish();

 private:
  /// What is being counted, printed first on each line.
  std::string what_;
  /// Steps in all.
  long total_;
  /// When the run started.
  std::chrono::steady_clock::time_point start_;
  /// When the last line was printed (rate limit).
  std::chrono::steady_clock::time_point last_;
};

}  // namespace lab
