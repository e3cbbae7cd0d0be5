// analysis/sched_latency.cpp — see sched_latency.hpp.
#include "sched_latency.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace gort::viewer {

int64_t percentile(const std::vector<int64_t>& sorted, double pct) {
  if (sorted.empty()) return 0;
  double rank = std::ceil(pct / 100.0 * double(sorted.size()));
  size_t i = rank < 1 ? 0 : size_t(rank) - 1;
  if (i >= sorted.size()) i = sorted.size() - 1;
  return sorted[i];
}

Distribution distribution(std::vector<int64_t> samples) {
  Distribution d;
  std::sort(samples.begin(), samples.end());
  d.count = samples.size();
  for (int64_t s : samples) {
    d.total = s > std::numeric_limits<int64_t>::max() - d.total ? std::numeric_limits<int64_t>::max() : d.total + s;
  }
  if (!samples.empty()) {
    d.min = samples.front();
    d.max = samples.back();
    d.p50 = percentile(samples, 50);
    d.p90 = percentile(samples, 90);
    d.p99 = percentile(samples, 99);
  }
  // Bucket edges: 0, 1µs, 2µs, 5µs, 10µs, ..., 5s, 10s, +inf.
  std::vector<int64_t> edges{0};
  for (int64_t decade = 1000; decade <= 1'000'000'000; decade *= 10) {
    edges.push_back(decade);
    edges.push_back(2 * decade);
    edges.push_back(5 * decade);
  }
  edges.push_back(10'000'000'000);
  edges.push_back(std::numeric_limits<int64_t>::max());
  for (size_t i = 0; i + 1 < edges.size(); i++) d.buckets.push_back(Bucket{edges[i], edges[i + 1], 0});
  size_t b = 0;
  for (int64_t s : samples) {
    while (b + 1 < d.buckets.size() && s >= d.buckets[b].hi) b++;
    d.buckets[b].count++;
  }
  return d;
}

std::vector<int64_t> scheduler_waits(const Timeline& tl) {
  std::vector<int64_t> waits;
  for (const Goroutine& g : tl.goroutines) {
    for (size_t i = 0; i + 1 < g.slices.size(); i++) {
      const GSlice& s = g.slices[i];
      const SliceState next = g.slices[i + 1].state;
      if (s.state == SliceState::Runnable && (next == SliceState::Running || next == SliceState::Assist)) {
        waits.push_back(s.end - s.start);
      }
    }
  }
  return waits;
}

}  // namespace gort::viewer
