// analysis/mmu.cpp — see mmu.hpp.  Go: src/internal/trace/gc.go.
#include "mmu.hpp"

#include <algorithm>
#include <limits>

namespace gort::viewer {

std::vector<UtilPoint> mutator_utilisation(const Timeline& tl) {
  // Changes: kind 0 = STW ±1, 1 = GC work ±1, 2 = GOMAXPROCS := v.
  struct Change {
    int64_t t;
    int kind;
    int64_t v;
  };
  std::vector<Change> ch;
  for (const STWPause& p : tl.stw) {
    ch.push_back({p.start, 0, +1});
    ch.push_back({p.end, 0, -1});
  }
  for (const Proc& p : tl.procs) {
    for (const PSlice& s : p.slices) {
      if (s.kind == PKind::GCWorker) {
        ch.push_back({s.start, 1, +1});
        ch.push_back({s.end, 1, -1});
      }
    }
  }
  for (const Goroutine& g : tl.goroutines) {
    for (const GSlice& s : g.slices) {
      if (s.state == SliceState::Assist) {
        ch.push_back({s.start, 1, +1});
        ch.push_back({s.end, 1, -1});
      }
    }
  }
  int64_t procs = 0;
  for (const Proc& p : tl.procs) procs = std::max<int64_t>(procs, int64_t(p.id) + 1);
  if (!tl.gomaxprocs.empty()) procs = tl.gomaxprocs.front().v;
  for (const Sample& s : tl.gomaxprocs) ch.push_back({s.t, 2, s.v});
  if (procs < 1) procs = 1;
  std::stable_sort(ch.begin(), ch.end(), [](const Change& a, const Change& b) { return a.t < b.t; });
  std::vector<UtilPoint> out;
  int64_t stw = 0, gc = 0;
  auto util = [&] {
    if (stw > 0) return 0.0;
    double u = 1.0 - double(gc) / double(procs);
    return u < 0 ? 0.0 : u;
  };
  out.push_back(UtilPoint{0, util()});
  for (size_t i = 0; i < ch.size();) {
    const int64_t t = ch[i].t;
    while (i < ch.size() && ch[i].t == t) {
      const Change& c = ch[i++];
      if (c.kind == 0) stw += c.v;
      if (c.kind == 1) gc += c.v;
      if (c.kind == 2) procs = std::max<int64_t>(1, c.v);
    }
    const double u = util();
    if (out.back().t == t) {
      out.back().u = u;
    } else if (out.back().u != u) {
      out.push_back(UtilPoint{t, u});
    }
  }
  return out;
}

namespace {

/// Evaluates F(x) = integral of u over [0, x] for non-decreasing x.
class Integral {
 public:
  Integral(const std::vector<UtilPoint>& u, const std::vector<double>& cum) : u_(u), cum_(cum) {}
  double at(int64_t x) {
    while (i_ + 1 < u_.size() && u_[i_ + 1].t <= x) i_++;
    return cum_[i_] + u_[i_].u * double(x - u_[i_].t);
  }

 private:
  const std::vector<UtilPoint>& u_;
  const std::vector<double>& cum_;
  size_t i_ = 0;
};

}  // namespace

double mmu(const std::vector<UtilPoint>& u, int64_t duration, int64_t window) {
  if (u.empty() || window <= 0 || window > duration) return 0;
  std::vector<double> cum(u.size());
  for (size_t i = 1; i < u.size(); i++) cum[i] = cum[i - 1] + u[i - 1].u * double(u[i].t - u[i - 1].t);
  Integral lo(u, cum), hi(u, cum);
  const int64_t last = duration - window;  // windows start in [0, last]
  double best = std::numeric_limits<double>::infinity();
  // Candidate starts: every step time b (b <= last) and every b - window
  // (b >= window), merged in increasing order, plus the ends 0 and last.
  size_t i = 0, j = 0;
  auto eval = [&](int64_t t) {
    const double a = lo.at(t);
    const double b = hi.at(t + window);
    best = std::min(best, (b - a) / double(window));
  };
  eval(0);
  while (true) {
    int64_t ci = i < u.size() ? u[i].t : std::numeric_limits<int64_t>::max();
    int64_t cj = j < u.size() ? u[j].t - window : std::numeric_limits<int64_t>::max();
    int64_t t = std::min(ci, cj);
    if (t > last) break;
    if (t == ci) i++;
    if (t == cj) j++;
    if (t >= 0) eval(t);
  }
  eval(last);
  return best < 0 ? 0 : best > 1 ? 1 : best;
}

std::vector<MMUPoint> analyze_mmu(const Timeline& tl) {
  std::vector<MMUPoint> out;
  if (tl.duration <= 0) return out;
  const auto u = mutator_utilisation(tl);
  for (int64_t w : {100'000LL, 1'000'000LL, 10'000'000LL, 100'000'000LL, 1'000'000'000LL, 10'000'000'000LL}) {
    if (w > tl.duration) break;
    out.push_back(MMUPoint{w, mmu(u, tl.duration, w)});
  }
  return out;
}

}  // namespace gort::viewer
