// sampler.hpp — the time series behind the "stack in use over time" graph.
//
// A goroutine reads StackInuse/StackSys, VmRSS and the goroutine count every
// interval until stopped, and once more after the stop (so the series ends
// with the state the experiment left), as a Go program would with a timer and
// runtime.ReadMemStats (the twin does exactly that).  Its own stack is part
// of what it measures, as in Go.
#pragma once

#include <gort/waitgroup.hpp>

#include <atomic>
#include <chrono>
#include <vector>

#include "results.hpp"

namespace stacklab {

/// The clock every time in the lab's series is taken from.
using Clock = std::chrono::steady_clock;

/// Milliseconds from t0 to now.
double ms_since(Clock::time_point t0);

/// Samples process-wide stack figures periodically on its own goroutine.
class Sampler {
 public:
  /// Starts sampling every `interval`, times relative to t0.
  /// Preconditions: called from a goroutine; interval > 0.
  Sampler(Clock::time_point t0, std::chrono::milliseconds interval);
  Sampler(const Sampler&) = delete;
  Sampler& operator=(const Sampler&) = delete;
  /// Stops the goroutine if stop() was not called.
  ~Sampler();

  /// Stops sampling (waits for the goroutine) and returns the series.
  std::vector<StackSample> stop();

 private:
  /// Experiment start: sample times are relative to it.
  Clock::time_point t0_;
  /// Time between samples.
  std::chrono::milliseconds interval_;
  /// Set by stop(); the sampling loop checks it after each sleep.
  std::atomic<bool> stop_{false};
  /// Done when the sampling goroutine has returned.
  gort::WaitGroup done_;
  /// Written only by the sampling goroutine until done_ is reached.
  std::vector<StackSample> samples_;
  /// stop() has run.
  bool stopped_ = false;
};

}  // namespace stacklab
