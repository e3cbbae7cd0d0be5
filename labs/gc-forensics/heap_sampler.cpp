// heap_sampler.cpp — the read_mem_stats sampler (see heap_sampler.hpp).
#include "heap_sampler.hpp"

#include <gort/runtime.hpp>

#include <algorithm>

#include "params.hpp"

namespace gclab {

namespace {

/// Slots in MemStats.PauseNs (Go's circular buffer of recent pauses).
constexpr uint32_t kPauseRing = 256;

}  // namespace

HeapSampler::HeapSampler() : epoch_(std::chrono::steady_clock::now()) {
  total_alloc_base_ = gort::read_mem_stats().TotalAlloc;
}

void HeapSampler::start() {
  running_.add(1);
  gort::go([this] {
    while (!stopping_.load(std::memory_order_relaxed)) {
      sample();
      gort::sleep(kSampleInterval);
    }
    running_.done();
  });
}

void HeapSampler::stop() {
  stopping_.store(true, std::memory_order_relaxed);
  running_.wait();
  sample();
}

void HeapSampler::sample() {
  last_ = gort::read_mem_stats();
  const std::chrono::duration<double> t = std::chrono::steady_clock::now() - epoch_;
  samples_.push_back({t.count(), last_.HeapAlloc, last_.HeapInuse, last_.NextGC});
  peak_heap_alloc_ = std::max(peak_heap_alloc_, last_.HeapAlloc);
  peak_heap_inuse_ = std::max(peak_heap_inuse_, last_.HeapInuse);
  uint32_t first = seen_cycles_ + 1;  // cycles first..NumGC are new
  if (last_.NumGC >= first + kPauseRing) {
    lost_pauses_ += last_.NumGC - kPauseRing - seen_cycles_;
    first = last_.NumGC - kPauseRing + 1;
  }
  for (uint32_t k = first; k <= last_.NumGC; ++k) pauses_ns_.push_back(last_.PauseNs[(k - 1) % kPauseRing]);
  seen_cycles_ = last_.NumGC;
}

void HeapSampler::fill(RunResult* r) const {
  r->samples = samples_;
  r->pauses_ns = pauses_ns_;
  r->lost_pauses = lost_pauses_;
  r->num_gc = last_.NumGC;
  r->num_forced_gc = last_.NumForcedGC;
  r->gc_cpu_fraction = last_.GCCPUFraction;
  r->total_alloc_bytes = last_.TotalAlloc - total_alloc_base_;
  r->peak_heap_alloc = peak_heap_alloc_;
  r->peak_heap_inuse = peak_heap_inuse_;
}

}  // namespace gclab
