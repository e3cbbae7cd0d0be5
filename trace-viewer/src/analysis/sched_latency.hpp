// analysis/sched_latency.hpp — the distribution of scheduler latency: how
// long goroutines stayed runnable before they ran (each runnable -> running
// wait: after creation, GoStop, an unblock, or a blocking call that returned
// without a P).  Waits still pending when the trace ends are not counted.
//
// Go shows this as cmd/trace's "Scheduler latency profile" (by stack, here in
// blocking.hpp) and, per goroutine, summary.go's SchedWaitTime; the
// distribution (percentiles and a histogram) is what its goroutine page's
// latency histogram plots.  Percentiles are nearest-rank: pN is the smallest
// sample with at least N% of the samples at or below it.
#pragma once

#include "../timeline.hpp"

#include <cstdint>
#include <vector>

namespace gort::viewer {

struct Bucket {
  int64_t lo = 0, hi = 0;  // [lo, hi) ns; the last bucket's hi is INT64_MAX
  uint64_t count = 0;
};

struct Distribution {
  uint64_t count = 0;
  int64_t total = 0;
  int64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  std::vector<Bucket> buckets;  // 1-2-5 steps from 1 µs to 10 s, plus [0, 1 µs) and >= 10 s
};

/// Nearest-rank percentile of sorted samples (0 if there are none).
int64_t percentile(const std::vector<int64_t>& sorted, double pct);

/// Summary statistics and a histogram of samples (ns).
Distribution distribution(std::vector<int64_t> samples);

/// The runnable -> running waits of all goroutines.
std::vector<int64_t> scheduler_waits(const Timeline& timeline);

inline Distribution scheduler_latency(const Timeline& timeline) {
  return distribution(scheduler_waits(timeline));
}

}  // namespace gort::viewer
