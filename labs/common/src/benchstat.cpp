// benchstat.cpp — medians, their order-statistics intervals and the
// Mann-Whitney U test (see lab/benchstat.hpp).
#include "lab/benchstat.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace lab {

namespace {

/// The two-sided confidence benchstat reports its intervals at.
constexpr double kConfidence = 0.95;

/// Up to this many runs on both sides together the U distribution is counted
/// exactly: the table has (na·nb + 1)·(na + 1)·(nb + 1) cells, 35k at 25+25.
constexpr std::size_t kExactLimit = 50;

/// P(Bin(n, 1/2) < k).
double binomial_below(std::size_t n, std::size_t k) {
  double sum = 0;
  double c = 1;  // C(n, i), built up in the loop
  for (std::size_t i = 0; i < k; ++i) {
    sum += c;
    c = c * static_cast<double>(n - i) / static_cast<double>(i + 1);
  }
  return sum / std::pow(2.0, static_cast<double>(n));
}

/// Midranks of a's values in the pooled sample a ∪ b, summed.
double rank_sum(const std::vector<double>& a, const std::vector<double>& b, bool* ties, double* tie_term) {
  std::vector<std::pair<double, int>> all;
  for (double v : a) all.push_back({v, 0});
  for (double v : b) all.push_back({v, 1});
  std::sort(all.begin(), all.end());
  double sum = 0;
  *ties = false;
  *tie_term = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double t = static_cast<double>(j - i);
    if (t > 1) {
      *ties = true;
      *tie_term += t * t * t - t;
    }
    const double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (all[k].second == 0) sum += midrank;
    }
    i = j;
  }
  return sum;
}

/// P(U <= u) for sample sizes na, nb with no ties, by counting: f[m][n][u]
/// arrangements of m a's and n b's with U = u obey
/// f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u).
double exact_u_cdf(std::size_t na, std::size_t nb, double u) {
  const std::size_t umax = na * nb;
  // prev[n][u] for m-1, cur[n][u] for m.
  std::vector<std::vector<double>> prev(nb + 1, std::vector<double>(umax + 1, 0)), cur = prev;
  for (std::size_t n = 0; n <= nb; ++n) prev[n][0] = 1;  // m = 0: one arrangement, U = 0
  for (std::size_t m = 1; m <= na; ++m) {
    for (std::size_t n = 0; n <= nb; ++n) {
      for (std::size_t v = 0; v <= umax; ++v) {
        double f = v >= n ? prev[n][v - n] : 0;
        if (n > 0) f += cur[n - 1][v];
        cur[n][v] = f;
      }
    }
    std::swap(prev, cur);
  }
  double total = 0, below = 0;
  for (std::size_t v = 0; v <= umax; ++v) {
    total += prev[nb][v];
    if (static_cast<double>(v) <= u + 1e-9) below += prev[nb][v];
  }
  return below / total;
}

}  // namespace

RunSummary summarize_runs(std::vector<double> runs) {
  RunSummary s;
  s.n = runs.size();
  if (runs.empty()) return s;
  std::sort(runs.begin(), runs.end());
  const std::size_t n = runs.size();
  s.median = n % 2 == 1 ? runs[n / 2] : (runs[n / 2 - 1] + runs[n / 2]) / 2;
  // The largest k (1-based rank) with coverage 1 - 2·P(Bin < k) >= 95%.
  std::size_t k = 1;
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * binomial_below(n, k + 1) >= kConfidence) ++k;
  s.ci_low = runs[k - 1];
  s.ci_high = runs[n - k];
  s.confidence = 1 - 2 * binomial_below(n, k);
  return s;
}

double mann_whitney_p(const std::vector<double>& a, const std::vector<double>& b) {
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  bool ties = false;
  double tie_term = 0;
  const double u = rank_sum(a, b, &ties, &tie_term) - na * (na + 1) / 2;
  if (!ties && a.size() + b.size() <= kExactLimit) {
    const double low = exact_u_cdf(a.size(), b.size(), u);
    const double high = 1 - exact_u_cdf(a.size(), b.size(), u - 1);
    return std::min(1.0, 2 * std::min(low, high));
  }
  const double n = na + nb;
  const double mean = na * nb / 2;
  const double var = na * nb / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) return 1;  // every value equal
  const double z = (std::abs(u - mean) - 0.5) / std::sqrt(var);  // continuity-corrected
  return std::min(1.0, std::erfc(std::max(z, 0.0) / std::sqrt(2.0)));
}

RunComparison compare_runs(const std::vector<double>& before, const std::vector<double>& after) {
  RunComparison c;
  c.before = summarize_runs(before);
  c.after = summarize_runs(after);
  c.delta_percent = c.before.median != 0 ? (c.after.median / c.before.median - 1) * 100 : 0;
  c.p_value = mann_whitney_p(before, after);
  c.significant = c.p_value < kBenchstatAlpha;
  return c;
}

std::string format_delta(const RunComparison& c) {
  const std::string stats = fmt::format("(p={:.3f} n={}+{})", c.p_value, c.before.n, c.after.n);
  if (!c.significant) return "~ " + stats;
  return fmt::format("{:+.1f}% {}", c.delta_percent, stats);
}

std::string format_median_ci(const RunSummary& s, std::string (*value)(double)) {
  if (s.n == 0) return "—";
  const double half = std::max(s.median - s.ci_low, s.ci_high - s.median);
  const double pct = s.median != 0 ? 100 * half / std::abs(s.median) : 0;
  return fmt::format("{} ±{:.0f}%", value(s.median), pct);
}

}  // namespace lab
