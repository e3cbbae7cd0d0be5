// window.cpp — see window.hpp.
#include "window.hpp"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace gort::viewer {

namespace {

/// The columns of a window: ids grow with time (window.hpp, "The grid").
class Grid {
 public:
  Grid(int64_t duration, const Window& w)
      : from_(w.from),
        to_(w.to),
        px_(w.px),
        inner_(std::max<int64_t>(1, (w.to - w.from + w.px - 1) / w.px)),
        outer_(w.rest_px > 0 ? std::max<int64_t>(1, (duration + w.rest_px - 1) / w.rest_px) : inner_),
        left_columns_(w.from > 0 ? (w.from + outer_ - 1) / outer_ : 0),
        restricted_(w.rest_px <= 0) {}

  /// The index range of the sorted, non-overlapping in that is kept: those
  /// overlapping [from, to), or all of it when the rest is kept too.
  template <class S>
  std::pair<size_t, size_t> kept(const std::vector<S>& in) const {
    if (!restricted_) return {0, in.size()};
    const auto lo = std::partition_point(in.begin(), in.end(), [&](const S& s) { return s.end <= from_; });
    const auto hi = std::partition_point(lo, in.end(), [&](const S& s) { return s.start < to_; });
    return {size_t(lo - in.begin()), size_t(hi - in.begin())};
  }
  /// Whether [start, end) is kept.
  bool keeps(int64_t start, int64_t end) const { return !restricted_ || (end > from_ && start < to_); }
  /// Whether only what overlaps the window is kept.
  bool restricted() const { return restricted_; }
  int64_t from() const { return from_; }

  /// The column holding time t.
  int64_t column(int64_t t) const {
    if (t < from_) return std::max<int64_t>(0, t) / outer_;
    if (t < to_) return left_columns_ + (t - from_) / inner_;
    return left_columns_ + px_ + 1 + (t - to_) / outer_;
  }
  /// The end of the column holding time t (the next column's start).
  int64_t column_end(int64_t t) const {
    if (t < from_) return std::min((std::max<int64_t>(0, t) / outer_ + 1) * outer_, from_);
    if (t < to_) return std::min(from_ + ((t - from_) / inner_ + 1) * inner_, to_);
    return to_ + ((t - to_) / outer_ + 1) * outer_;
  }
  /// The width of the column holding time t.
  int64_t width(int64_t t) const { return t >= from_ && t < to_ ? inner_ : outer_; }

 private:
  int64_t from_, to_, px_, inner_, outer_, left_columns_;
  bool restricted_;
};

/// A lane's slices with the short ones of each column merged into one, which
/// copies the slice pick(in, i, j) chooses among in[i, j) and spans them all.
template <class S, class Pick>
std::vector<S> reduce_lane(const std::vector<S>& in, const Grid& grid, Pick pick, WindowStats& st) {
  std::vector<S> out;
  const auto is_short = [&](const S& s) { return s.end - s.start < grid.width(s.start); };
  const auto [lo, hi] = grid.kept(in);
  size_t i = lo;
  while (i < hi) {
    if (!is_short(in[i])) {
      out.push_back(in[i++]);
      continue;
    }
    const int64_t col_end = grid.column_end(in[i].start);  // no division per slice: this loop sees them all
    size_t j = i + 1;
    while (j < hi && in[j].start < col_end && is_short(in[j])) j++;
    S merged = in[j - i == 1 ? i : pick(in, i, j)];
    merged.start = in[i].start;
    merged.end = in[j - 1].end;
    out.push_back(merged);
    i = j;
  }
  st.slices_in += hi - lo;
  st.slices_out += out.size();
  return out;
}

/// The longest of in[i, j): the P, GC and STW rule.
template <class S>
size_t longest(const std::vector<S>& in, size_t i, size_t j) {
  size_t best = i;
  for (size_t k = i + 1; k < j; k++) {
    if (in[k].end - in[k].start > in[best].end - in[best].start) best = k;
  }
  return best;
}

/// The longest slice of the state that covers most of in[i, j): the goroutine rule.
size_t dominant_state(const std::vector<GSlice>& in, size_t i, size_t j) {
  std::array<int64_t, 5> total{};
  for (size_t k = i; k < j; k++) total[size_t(in[k].state) % total.size()] += in[k].end - in[k].start;
  const auto state = SliceState(std::max_element(total.begin(), total.end()) - total.begin());
  size_t best = j;
  for (size_t k = i; k < j; k++) {
    if (in[k].state == state && (best == j || in[k].end - in[k].start > in[best].end - in[best].start)) best = k;
  }
  return best == j ? i : best;
}

/// A counter's samples with, per column, only the highest and the last kept
/// (restricted to the window: those in it, after the one in force at its start).
std::vector<Sample> reduce_samples(const std::vector<Sample>& in, const Grid& grid, WindowStats& st) {
  std::vector<Sample> out;
  size_t i = 0, hi = in.size();
  if (grid.restricted()) {
    // Samples are in time order: the window's are [i, hi), the one before them holds at `from`.
    i = size_t(std::partition_point(in.begin(), in.end(), [&](const Sample& x) { return x.t < grid.from(); }) -
               in.begin());
    hi = i;
    while (hi < in.size() && grid.keeps(in[hi].t, in[hi].t + 1)) hi++;
    if (i > 0) out.push_back(in[i - 1]);
  }
  while (i < hi) {
    const int64_t col_end = grid.column_end(in[i].t);
    size_t j = i, best = i;
    for (; j < hi && in[j].t < col_end; j++) {
      if (in[j].v > in[best].v) best = j;
    }
    out.push_back(in[best]);
    if (best != j - 1) out.push_back(in[j - 1]);
    st.samples_dropped += (j - i) - (best != j - 1 ? 2 : 1);
    i = j;
  }
  return out;
}

}  // namespace

Timeline reduce_timeline(const Timeline& tl, const Window& w, WindowStats* stats) {
  WindowStats st;
  const Grid grid(tl.duration, w);
  Timeline out;
  out.duration = tl.duration;
  out.threads = tl.threads;
  out.tasks = tl.tasks;
  out.gomaxprocs = tl.gomaxprocs;
  out.timer_fires = tl.timer_fires;
  out.timer_late_total = tl.timer_late_total;
  out.timer_late_max = tl.timer_late_max;
  // Sweeps are not in the view model; they are left out.

  for (const Proc& p : tl.procs) {
    out.procs.push_back(Proc{p.id, reduce_lane(p.slices, grid, longest<PSlice>, st)});
  }
  out.goroutines.reserve(tl.goroutines.size());
  for (const Goroutine& g : tl.goroutines) {
    Goroutine r;  // every field but the slices, which are reduced
    r.id = g.id;
    r.existed_at_start = g.existed_at_start;
    r.ended = g.ended;
    r.start = g.start;
    r.end = g.end;
    r.creator = g.creator;
    r.create_stack = g.create_stack;
    r.start_stack = g.start_stack;
    r.group = g.group;
    r.sweep_ns = g.sweep_ns;
    r.slices = reduce_lane(g.slices, grid, dominant_state, st);
    out.goroutines.push_back(std::move(r));
  }
  out.gc = tl.gc;  // a cycle lasts milliseconds: few enough to keep all, and meta.gc_cycles counts them
  out.stw = reduce_lane(tl.stw, grid, longest<STWPause>, st);

  out.heap_alloc = reduce_samples(tl.heap_alloc, grid, st);
  out.heap_goal = reduce_samples(tl.heap_goal, grid, st);
  out.goroutine_count = reduce_samples(tl.goroutine_count, grid, st);
  out.runnable_count = reduce_samples(tl.runnable_count, grid, st);

  for (const Region& r : tl.regions) {
    if (!grid.keeps(r.start, r.end)) continue;
    if (r.end - r.start >= grid.width(r.start)) {
      out.regions.push_back(r);
    } else {
      st.regions_dropped++;
    }
  }
  std::unordered_map<uint64_t, int64_t> last_log_column;  // goroutine -> column of its last kept entry
  for (const Log& l : tl.logs) {
    if (!grid.keeps(l.t, l.t + 1)) continue;
    const int64_t col = grid.column(l.t);
    auto [it, fresh] = last_log_column.try_emplace(l.g, col);
    if (!fresh && it->second == col) {
      st.logs_dropped++;
      continue;
    }
    it->second = col;
    out.logs.push_back(l);
  }
  if (stats) *stats = st;
  return out;
}

}  // namespace gort::viewer
