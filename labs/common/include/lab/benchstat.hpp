// lab/benchstat.hpp — before/after comparisons of repeated runs, as Go's
// benchstat (golang.org/x/perf/cmd/benchstat) tabulates them: per side the
// median of N runs with a confidence interval for the median, and the change
// from before to after, or "~" when a two-sided Mann-Whitney U test does not
// find the two sets of runs different at alpha = 0.05.
//
// The interval is the distribution-free one from order statistics: for n runs
// the median lies in [x(k), x(n+1-k)] with probability 1 - 2·P(Bin(n, 1/2) < k),
// with k the largest rank that keeps that at or above 95%.  Below six runs no
// such k exists; the interval is then [min, max] and its actual confidence
// (1 - 2/2^n) is reported with it, as benchstat warns about small samples.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lab {

/// The significance level benchstat uses by default.
inline constexpr double kBenchstatAlpha = 0.05;

/// N runs of one measurement summarised.
struct RunSummary {
  std::size_t n = 0;
  double median = 0;
  /// The order-statistics interval for the median.
  double ci_low = 0, ci_high = 0;
  /// The interval's confidence (0.95 or more when n >= 6; lower below).
  double confidence = 0;
};

/// Summarises runs.  Precondition: none; no runs give n = 0 and zeros.
RunSummary summarize_runs(std::vector<double> runs);

/// The two-sided p-value of the Mann-Whitney U test that a and b come from
/// the same distribution: exact (the U distribution counted) without ties and
/// up to 50 runs together, else the normal approximation with the tie
/// correction.  Precondition: a and b not empty.
double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b);

/// One row of a benchstat table.
struct RunComparison {
  RunSummary before, after;
  /// after/before - 1, in percent (0 when before's median is 0).
  double delta_percent = 0;
  double p_value = 1;
  /// p_value < kBenchstatAlpha.
  bool significant = false;
};

/// Compares the runs of before and after.  Precondition: both non-empty.
RunComparison compare_runs(const std::vector<double>& before, const std::vector<double>& after);

/// The change column as benchstat prints it: "+12.3% (p=0.002 n=7+7)" when
/// significant, "~ (p=0.310 n=7+7)" when not.
std::string format_delta(const RunComparison& c);

/// "median ±x%" with the interval's larger half-width as a share of the
/// median, as benchstat prints a side, using `value` to format numbers
/// (e.g. lab::format_sig3).
std::string format_median_ci(const RunSummary& s, std::string (*value)(double));

}  // namespace lab
