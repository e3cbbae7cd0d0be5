// sampler.cpp — the sampling goroutine (see sampler.hpp).
#include "sampler.hpp"

#include <gort/runtime.hpp>

#include "runtime_stats.hpp"

namespace stacklab {

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

Sampler::Sampler(Clock::time_point t0, std::chrono::milliseconds interval) : t0_(t0), interval_(interval) {
  done_.add(1);
  gort::go([this] {
    for (;;) {
      const bool last = stop_.load(std::memory_order_acquire);  // then one sample after stop
      StackSample s;
      s.stacks = read_process_stacks();
      s.goroutines = gort::num_goroutine();
      s.t_ms = ms_since(t0_);
      samples_.push_back(s);
      if (last) break;
      gort::sleep(interval_);
    }
    done_.done();
  });
}

Sampler::~Sampler() {
  if (!stopped_) stop();
}

std::vector<StackSample> Sampler::stop() {
  stopped_ = true;
  stop_.store(true, std::memory_order_release);
  done_.wait();
  return std::move(samples_);
}

}  // namespace stacklab
